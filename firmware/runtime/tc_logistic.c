/* int8 logistic as TFLite's integer reference kernel computes it: inputs beyond the radius
 * saturate, the rest are scaled to Q4.27 and go through the fixed-point 1/(1+exp(-x)). */
#include "tc_logistic.h"

#include "tc_fixedpoint.h"
#include "tc_runtime.h"

#define TC_LOGISTIC_INPUT_BITS 4

void tc_logistic_s8(const tc_logistic_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *x = in[0];
    int32_t i;
    (void)scratch;
    for (i = 0; i < p->size; i++) {
        const int32_t v = x[i] - p->input_zero_point;
        int32_t r;
        if (v <= -p->input_range_radius) {
            r = -128;
        } else if (v >= p->input_range_radius) {
            r = 127;
        } else {
            const int32_t q4 = tc_requantize(v, p->input_multiplier, p->input_left_shift);
            r = tc_rounding_shift(tc_logistic_fixed(q4, TC_LOGISTIC_INPUT_BITS), 31 - 8) - 128;
            r = tc_clamp(r, -128, 127);
        }
        out[i] = (int8_t)r;
    }
}
