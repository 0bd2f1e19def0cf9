/* tinycompress native runtime: fixed-point transcendental helpers (exp, 1/(1+x), logistic, tanh).
 *
 * Raw int32 fixed-point values with a given number of integer bits, evaluated with the same
 * polynomial, Newton-Raphson steps and rounding as the gemmlowp fixed-point library that
 * TFLite's integer softmax and logistic use, so that results match TFLM bit for bit.
 */
#ifndef TC_FIXEDPOINT_H
#define TC_FIXEDPOINT_H

#include <stdint.h>

#include "tc_runtime.h"

#define TC_Q31_ONE INT32_MAX   /* 1.0 with 0 integer bits (saturated) */

/* x * 2^exponent, exponent > 0, saturating at the int32 range. */
TC_INLINE int32_t tc_sat_shift_left(int32_t x, int exponent) {
    const int32_t threshold = (int32_t)((1LL << (31 - exponent)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

/* (a + b) / 2 rounded half away from zero. */
TC_INLINE int32_t tc_rounding_half_sum(int32_t a, int32_t b) {
    int64_t sum = (int64_t)a + (int64_t)b;
    int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

TC_INLINE int tc_clz32(uint32_t x) {
#if defined(__GNUC__)
    return x == 0 ? 32 : __builtin_clz(x);
#else
    int n = 0;
    if (x == 0) {
        return 32;
    }
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/* exp(a) for a in [-1/4, 0), a and result with 0 integer bits: Taylor series around -1/8. */
TC_INLINE int32_t tc_exp_quarter(int32_t a) {
    const int32_t constant_term = 1895147668;      /* exp(-1/8) */
    const int32_t constant_1_over_3 = 715827883;
    int32_t x = a + (1 << 28);                     /* a + 1/8 */
    int32_t x2 = tc_high_mul(x, x);
    int32_t x3 = tc_high_mul(x2, x);
    int32_t x4 = tc_high_mul(x2, x2);
    int32_t x4_over_4 = tc_rounding_shift(x4, 2);
    int32_t poly = tc_rounding_shift(tc_high_mul(x4_over_4 + x3, constant_1_over_3) + x2, 1);
    return constant_term + tc_high_mul(constant_term, x + poly);
}

/* exp(a) for a <= 0 given with `integer_bits` integer bits (at most 5); result 0 integer bits. */
TC_INLINE int32_t tc_exp_on_negative_values(int32_t a, int integer_bits) {
    static const int32_t multipliers[7] = {   /* exp(-2^k) for k = -2 .. 4 */
        1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const int fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    int32_t a_mod_quarter_minus_one_quarter = (a & (one_quarter - 1)) - one_quarter;
    int32_t result = tc_exp_quarter(tc_sat_shift_left(a_mod_quarter_minus_one_quarter, integer_bits));
    int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    int k;
    for (k = -2; k <= 4; k++) {
        if (integer_bits > k && (remainder & ((int32_t)1 << (fractional_bits + k)))) {
            result = tc_high_mul(result, multipliers[k + 2]);
        }
    }
    if (a == 0) {
        result = TC_Q31_ONE;
    }
    return result;
}

/* 1 / (1 + a) for a in [0, 1), 0 integer bits, with 2 integer bits: three Newton-Raphson
 * steps. */
TC_INLINE int32_t tc_reciprocal_one_plus_x_q2(int32_t a) {
    const int32_t constant_48_over_17 = 1515870810;     /* 2 integer bits */
    const int32_t constant_neg_32_over_17 = -1010580540;
    const int32_t one_q2 = (int32_t)1 << 29;
    int32_t half_denominator = tc_rounding_half_sum(a, TC_Q31_ONE);
    int32_t x = constant_48_over_17 + tc_high_mul(half_denominator, constant_neg_32_over_17);
    int i;
    for (i = 0; i < 3; i++) {
        int32_t half_denominator_times_x = tc_high_mul(half_denominator, x);
        int32_t one_minus = one_q2 - half_denominator_times_x;
        x = x + tc_sat_shift_left(tc_high_mul(x, one_minus), 2);
    }
    return x;
}

/* 1 / (1 + a) for a in [0, 1), 0 integer bits. */
TC_INLINE int32_t tc_one_over_one_plus_x(int32_t a) {
    /* x / 2, then from 1 integer bit to 0 */
    return tc_sat_shift_left(tc_reciprocal_one_plus_x_q2(a), 1);
}

/* (1 - a) / (1 + a) for a in [0, 1), 0 integer bits. */
TC_INLINE int32_t tc_one_minus_x_over_one_plus_x(int32_t a) {
    return tc_sat_shift_left(tc_reciprocal_one_plus_x_q2(a) - ((int32_t)1 << 29), 2);
}

/* 1 / (1 + exp(-a)) with `integer_bits` integer bits in a; result 0 integer bits. */
TC_INLINE int32_t tc_logistic_fixed(int32_t a, int integer_bits) {
    int32_t abs_a, positive;
    if (a == 0) {
        return (int32_t)1 << 30;   /* 0.5 */
    }
    abs_a = a > 0 ? a : -a;
    positive = tc_one_over_one_plus_x(tc_exp_on_negative_values(-abs_a, integer_bits));
    return a > 0 ? positive : TC_Q31_ONE - positive;
}

/* tanh(a) with `integer_bits` (at most 4) integer bits in a; result 0 integer bits:
 * (1 - exp(-2|a|)) / (1 + exp(-2|a|)), the doubling taken as one more integer bit. */
TC_INLINE int32_t tc_tanh_fixed(int32_t a, int integer_bits) {
    int32_t t;
    if (a == 0) {
        return 0;
    }
    t = tc_one_minus_x_over_one_plus_x(tc_exp_on_negative_values(a < 0 ? a : -a, integer_bits + 1));
    return a < 0 ? -t : t;
}

#endif /* TC_FIXEDPOINT_H */
