/* int8 hard-swish with TFLite's integer reference arithmetic: the offset input, on a scale
 * 128 times finer, is rescaled once to the output's scale and once to a "reluish" value
 * that maps [-3, 3] onto the int16 range; the latter, moved to [0, 1) in Q15, multiplies
 * the former. Every step saturates and rounds in 16 bits as the reference does. */
#include "tc_hard_swish.h"

#include "tc_runtime.h"

/* 2 * a * b / 2^16 rounded to nearest (ties away from zero); the one overflow saturates. */
TC_INLINE int16_t tc_high_mul16(int16_t a, int16_t b) {
    const int32_t ab = (int32_t)a * (int32_t)b;
    const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)((ab + nudge) / (1 << 15));
}

/* The same product truncated toward zero (no rounding). */
TC_INLINE int16_t tc_high_mul16_trunc(int16_t a, int16_t b) {
    if (a == INT16_MIN && b == INT16_MIN) {
        return INT16_MAX;
    }
    return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

TC_INLINE int16_t tc_sat_shift_left16(int16_t x, int amount) {
    return (int16_t)tc_clamp((int32_t)x * (1 << amount), INT16_MIN, INT16_MAX);
}

/* x / 2^exponent rounded to nearest, ties away from zero, with int16 masks (as the reference
 * template computes it for int16). */
TC_INLINE int16_t tc_rounding_shift16(int16_t x, int exponent) {
    const int16_t mask = (int16_t)((1LL << exponent) - 1);
    const int16_t remainder = (int16_t)(x & mask);
    const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

void tc_hard_swish_s8(const tc_hard_swish_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *x = in[0];
    const int16_t out_mul = (int16_t)p->output_multiplier, relu_mul = (int16_t)p->reluish_multiplier;
    const int32_t relu_exp = p->reluish_exponent;
    int32_t i;
    (void)scratch;
    for (i = 0; i < p->size; i++) {
        const int16_t hires = (int16_t)((x[i] - p->input_zero_point) * (1 << 7));
        const int16_t scaled = tc_high_mul16(hires, out_mul);
        int16_t reluish = hires;
        int32_t r;
        if (relu_exp > 0) {
            reluish = tc_sat_shift_left16(reluish, relu_exp - 1);
        }
        reluish = tc_high_mul16(reluish, relu_mul);
        if (relu_exp > 0) {
            reluish = tc_sat_shift_left16(reluish, 1);
        } else if (relu_exp < 0) {
            reluish = tc_rounding_shift16(reluish, -relu_exp);
        }
        reluish = (int16_t)((reluish + (1 << 15)) >> 1);   /* [-1, 1) -> [0, 1) */
        r = tc_rounding_shift16(tc_high_mul16_trunc(reluish, scaled), -p->output_exponent);
        out[i] = (int8_t)tc_clamp(r + p->output_zero_point, -128, 127);
    }
}
