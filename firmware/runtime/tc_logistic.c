/* int8 logistic and tanh as TFLite's integer reference kernels compute them: inputs beyond
 * the radius saturate, the rest are scaled to Q4.27 and go through the fixed-point
 * 1/(1+exp(-x)) (output Q0.8 offset by -128) or tanh(x) (output Q0.7). */
#include "tc_logistic.h"

#include "tc_fixedpoint.h"
#include "tc_runtime.h"

#define TC_LOGISTIC_INPUT_BITS 4

TC_INLINE void tc_sigmoid_family(const tc_logistic_params *p, const int8_t *x, int8_t *out, int tanh) {
    int32_t i;
    for (i = 0; i < p->size; i++) {
        const int32_t v = x[i] - p->input_zero_point;
        int32_t r;
        if (v <= -p->input_range_radius) {
            r = -128;
        } else if (v >= p->input_range_radius) {
            r = 127;
        } else {
            const int32_t q4 = tc_requantize(v, p->input_multiplier, p->input_left_shift);
            r = tanh ? tc_rounding_shift(tc_tanh_fixed(q4, TC_LOGISTIC_INPUT_BITS), 31 - 7)
                     : tc_rounding_shift(tc_logistic_fixed(q4, TC_LOGISTIC_INPUT_BITS), 31 - 8) - 128;
            r = tc_clamp(r, -128, 127);
        }
        out[i] = (int8_t)r;
    }
}

void tc_logistic_s8(const tc_logistic_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    tc_sigmoid_family(p, in[0], out, 0);
}

void tc_tanh_s8(const tc_logistic_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    tc_sigmoid_family(p, in[0], out, 1);
}
