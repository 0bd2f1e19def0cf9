/* int8 softmax in fixed point, the way TFLite's integer reference kernel does:
 * input differences scaled to Q5.26, exp and 1/(1+x) from
 * tc_fixedpoint.h, sums in Q12.19, the reciprocal normalised by its leading zeros. */
#include "tc_softmax.h"

#include "tc_fixedpoint.h"
#include "tc_runtime.h"

#define TC_SOFTMAX_DIFF_BITS 5      /* integer bits of the scaled input difference */
#define TC_SOFTMAX_ACCUM_BITS 12    /* integer bits of the sum of exponentials */

TC_INLINE int32_t scaled_exp(const tc_softmax_params *p, int32_t diff) {
    const int32_t rescaled = tc_requantize(diff, p->input_multiplier, p->input_left_shift);
    return tc_exp_on_negative_values(rescaled, TC_SOFTMAX_DIFF_BITS);
}

void tc_softmax_s8(const tc_softmax_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *x = in[0];
    int32_t row, c;
    (void)scratch;
    for (row = 0; row < p->outer; row++, x += p->depth, out += p->depth) {
        int32_t max = -128, sum = 0, headroom, bits_over_unit, reciprocal;
        for (c = 0; c < p->depth; c++) {
            max = x[c] > max ? x[c] : max;
        }
        for (c = 0; c < p->depth; c++) {
            const int32_t diff = x[c] - max;
            if (diff >= p->diff_min) {
                sum += tc_rounding_shift(scaled_exp(p, diff), TC_SOFTMAX_ACCUM_BITS);
            }
        }
        /* 1/sum: normalise sum to [1, 2) by its leading zeros, then 1/(1+x) */
        headroom = tc_clz32((uint32_t)sum);
        bits_over_unit = TC_SOFTMAX_ACCUM_BITS - headroom;
        reciprocal = tc_one_over_one_plus_x(
            (int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31)));
        for (c = 0; c < p->depth; c++) {
            const int32_t diff = x[c] - max;
            int32_t v = -128;
            if (diff >= p->diff_min) {
                v = tc_rounding_shift(tc_high_mul(reciprocal, scaled_exp(p, diff)),
                                      bits_over_unit + 31 - 8) - 128;
                v = tc_clamp(v, -128, 127);
            }
            out[c] = (int8_t)v;
        }
    }
}
