/* int8 ADD and MUL as TFLM computes them: ADD rescales both inputs to a common scale with
 * 20 bits of headroom, sums, and rescales to the output; MUL multiplies the offset inputs
 * and rescales once. Broadcasting walks the output in order with per-input strides.
 *
 * The same integers in fewer instructions:
 *  - ADD's (and SUB's) input rescale depends on the int8 value alone: the generator
 *    tabulates it for all 256 values (table1, table2), so the kernel looks it up.
 *  - The output rescale uses tc_mac.h's shortcut forms (tc_requantize_rounded when it
 *    shifts right, as it does for every real model, else tc_requantize_fast), and a
 *    full-range clamp is one SSAT.
 *  - Inputs without broadcasting (the residual ADD) run as one flat loop. */
#include "tc_elementwise.h"

#include "tc_mac.h"
#include "tc_runtime.h"

/* ADD (sign 1) or SUB (sign -1) of the two tabulated input rescales, requantized. */
TC_INLINE int8_t addsub_one(const tc_add_params *p, int32_t a, int32_t b, int32_t sign) {
    const int32_t sum = p->table1[(uint8_t)a] + sign * p->table2[(uint8_t)b];
    const int32_t r = tc_requantize_fast(sum, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)tc_clamp(r, p->act_min, p->act_max);
}

TC_INLINE int8_t add_one(const tc_add_params *p, int32_t a, int32_t b) { return addsub_one(p, a, b, 1); }

TC_INLINE int8_t sub_one(const tc_add_params *p, int32_t a, int32_t b) { return addsub_one(p, a, b, -1); }

TC_INLINE int8_t mul_one(const tc_mul_params *p, int32_t a, int32_t b) {
    const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);
    const int32_t r = tc_requantize_fast(prod, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)tc_clamp(r, p->act_min, p->act_max);
}

/* Whether neither input broadcasts: both walk the output's elements in order. */
TC_INLINE int flat_strides(const int32_t *dims, const int32_t *strides) {
    return strides[3] == 1 && strides[2] == dims[3] && strides[1] == dims[2] * dims[3]
        && strides[0] == dims[1] * dims[2] * dims[3];
}

#define TC_BROADCAST_LOOP(P, A, B, OUT, ONE)                                              \
    do {                                                                                  \
        int32_t i0, i1, i2, i3;                                                           \
        const int32_t s1_ = (P)->strides1[3], s2_ = (P)->strides2[3];                     \
        for (i0 = 0; i0 < (P)->dims[0]; i0++) {                                           \
            for (i1 = 0; i1 < (P)->dims[1]; i1++) {                                       \
                for (i2 = 0; i2 < (P)->dims[2]; i2++) {                                   \
                    const int8_t *a_ = (A) + i0 * (P)->strides1[0] + i1 * (P)->strides1[1] \
                                     + i2 * (P)->strides1[2];                             \
                    const int8_t *b_ = (B) + i0 * (P)->strides2[0] + i1 * (P)->strides2[1] \
                                     + i2 * (P)->strides2[2];                             \
                    for (i3 = 0; i3 < (P)->dims[3]; i3++, a_ += s1_, b_ += s2_) {         \
                        *(OUT)++ = ONE((P), *a_, *b_);                                    \
                    }                                                                     \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    } while (0)

/* The flat ADD/SUB loop, output rescale form (rounded) and clamp (full) fixed. Locals, not
 * p->: the int8 stores could alias *p as far as C knows. */
TC_INLINE void addsub_flat(const tc_add_params *p, const int8_t *a, const int8_t *b, int8_t *out,
                           int32_t sign, int rounded, int full) {
    const int32_t *t1 = p->table1, *t2 = p->table2;
    const int32_t multiplier = p->output_multiplier, shift = p->output_shift;
    const int64_t rounding = rounded ? (1LL << 30) + (1LL << (30 - shift)) : 0;
    const int32_t zero_point = p->output_offset, act_min = p->act_min, act_max = p->act_max;
    const int8_t *end = out + p->dims[0] * p->dims[1] * p->dims[2] * p->dims[3];
    while (out < end) {
        const int32_t sum = t1[(uint8_t)*a++] + sign * t2[(uint8_t)*b++];
        *out++ = tc_clamp_s8(tc_scale_acc(sum, multiplier, shift, rounding, rounded), zero_point,
                             act_min, act_max, full);
    }
}

static void addsub(const tc_add_params *p, const int8_t *const *in, int8_t *out, int32_t sign) {
    const int8_t *a = in[0], *b = in[1];
    if (!flat_strides(p->dims, p->strides1) || !flat_strides(p->dims, p->strides2)) {
        if (sign > 0) {
            TC_BROADCAST_LOOP(p, a, b, out, add_one);
        } else {
            TC_BROADCAST_LOOP(p, a, b, out, sub_one);
        }
    } else if (p->output_shift > -1 || p->output_shift < -31) {
        addsub_flat(p, a, b, out, sign, 0, 0);
    } else if (p->act_min == -128 && p->act_max == 127) {
        addsub_flat(p, a, b, out, sign, 1, 1);
    } else {
        addsub_flat(p, a, b, out, sign, 1, 0);
    }
}

void tc_add_s8(const tc_add_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    addsub(p, in, out, 1);
}

void tc_mul_s8(const tc_mul_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    TC_BROADCAST_LOOP(p, in[0], in[1], out, mul_one);
}

TC_INLINE int8_t max_one(const tc_minmax_params *p, int8_t a, int8_t b) {
    (void)p;
    return a > b ? a : b;
}

TC_INLINE int8_t min_one(const tc_minmax_params *p, int8_t a, int8_t b) {
    (void)p;
    return a < b ? a : b;
}

void tc_sub_s8(const tc_add_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    addsub(p, in, out, -1);
}

void tc_maximum_s8(const tc_minmax_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    TC_BROADCAST_LOOP(p, in[0], in[1], out, max_one);
}

void tc_minimum_s8(const tc_minmax_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    TC_BROADCAST_LOOP(p, in[0], in[1], out, min_one);
}
