/* int8 piecewise-linear activations as TFLM computes them: the offset input is rescaled by
 * one multiplier at or above zero and another below it, offset and clamped. RELU is alpha 0
 * clamped at the output's zero; RELU6 is a clamp of the raw input (identity multiplier). */
#include "tc_activation.h"

#include "tc_runtime.h"

void tc_leaky_relu_s8(const tc_leaky_relu_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *x = in[0];
    int32_t i;
    (void)scratch;
    for (i = 0; i < p->size; i++) {
        const int32_t v = x[i] - p->input_zero_point;
        int32_t r;
        if (v >= 0) {
            r = tc_requantize(v, p->identity_multiplier, p->identity_shift);
        } else {
            r = tc_requantize(v, p->alpha_multiplier, p->alpha_shift);
            r = p->alpha_negative ? -r : r;
        }
        out[i] = (int8_t)tc_clamp(r + p->output_zero_point, p->act_min, p->act_max);
    }
}
