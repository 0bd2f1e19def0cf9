/* tinycompress native runtime: shared fixed-point arithmetic.
 *
 * Integer-only requantization with the same rounding as TensorFlow Lite's reference
 * kernels (a rounding doubling high multiply followed by a rounding right shift), so that
 * every kernel can match the TFLM interpreter bit for bit. C99, no heap.
 */
#ifndef TC_RUNTIME_H
#define TC_RUNTIME_H

#include <stdint.h>

#if defined(__GNUC__)
#define TC_INLINE static inline __attribute__((always_inline))
#else
#define TC_INLINE static inline
#endif

/* (a * b * 2) >> 32 rounded to nearest, ties away from zero; the one overflowing case
 * (INT32_MIN squared) saturates. */
TC_INLINE int32_t tc_high_mul(int32_t a, int32_t b) {
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    int64_t product = (int64_t)a * (int64_t)b;
    int64_t nudge = product >= 0 ? (1LL << 30) : (1 - (1LL << 30));
    return (int32_t)((product + nudge) / (1LL << 31));  /* C division truncates toward 0 */
}

/* x / 2^exponent rounded to nearest, ties away from zero. */
TC_INLINE int32_t tc_rounding_shift(int32_t x, int exponent) {
    int32_t mask = (int32_t)((1LL << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^shift, where multiplier is a Q31 value in [0.5, 1) and shift may be
 * positive (left) or negative (right). */
TC_INLINE int32_t tc_requantize(int32_t x, int32_t multiplier, int32_t shift) {
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    return tc_rounding_shift(tc_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

TC_INLINE int32_t tc_clamp(int32_t x, int32_t lo, int32_t hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

#endif /* TC_RUNTIME_H */
