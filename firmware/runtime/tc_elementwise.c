/* int8 ADD and MUL as TFLM computes them: ADD rescales both inputs to a common scale with
 * 20 bits of headroom, sums, and rescales to the output; MUL multiplies the offset inputs
 * and rescales once. Broadcasting walks the output in order with per-input strides.
 *
 * The same integers in fewer instructions:
 *  - ADD's input rescale, tc_requantize(a << 20, m, -r) with |a| <= 255 and a right shift
 *    r >= 0 (the input multipliers are <= 0.5), is done in 32 bits: with m = mh * 2^11 + ml,
 *    the doubling high multiply floor((a * 2^20 * m + 2^30) / 2^31) is exactly
 *    a * mh + floor((a * ml + 2^10) / 2^11) (a * mh * 2^11 is a multiple of 2^11, and no
 *    term overflows), and TFLite's rounding right shift, ties away from zero, is
 *    (2x + 2^r - [x < 0]) >> (r + 1) for every r >= 0 (for x < 0 the numerator is odd, so
 *    it floors like 2x + 2^r - 2, TFLite's threshold): tc_scale_input below, checked
 *    against tc_requantize for every a, shift and thousands of multipliers.
 *  - The output rescale uses tc_mac.h's shortcut forms (tc_requantize_rounded when it
 *    shifts right, as it does for every real model, else tc_requantize_fast).
 *  - Inputs without broadcasting (the residual ADD) run as one flat loop. */
#include "tc_elementwise.h"

#include "tc_mac.h"
#include "tc_runtime.h"

#define TC_ADD_SPLIT_BITS 11    /* 31 - ADD's left shift of 20 */

/* One input's rescale constants, derived once per call. */
typedef struct {
    int32_t offset, mul_hi, mul_lo, round, right;
} tc_input_scale;

TC_INLINE tc_input_scale tc_input_scale_of(int32_t offset, int32_t multiplier, int32_t shift) {
    tc_input_scale s;
    s.offset = offset;
    s.mul_hi = multiplier >> TC_ADD_SPLIT_BITS;
    s.mul_lo = multiplier & ((1 << TC_ADD_SPLIT_BITS) - 1);
    s.round = 1 << -shift;
    s.right = 1 - shift;
    return s;
}

/* The shifts tc_scale_input handles (all that ADD's lowering emits but an underflowing -31). */
TC_INLINE int tc_input_scale_ok(int32_t shift) { return shift <= 0 && shift >= -30; }

/* tc_requantize((v + offset) << 20, multiplier, shift) for int8 v, |v + offset| <= 255 and
 * tc_input_scale_ok(shift). */
TC_INLINE int32_t tc_scale_input(const tc_input_scale *s, int32_t v) {
    const int32_t a = v + s->offset;
    const int32_t high = a * s->mul_hi
                       + ((a * s->mul_lo + (1 << (TC_ADD_SPLIT_BITS - 1))) >> TC_ADD_SPLIT_BITS);
    return (2 * high + s->round - (int32_t)((uint32_t)high >> 31)) >> s->right;
}

/* The reference form, for broadcasts and any input shift a future lowering might emit. */
TC_INLINE int8_t add_one(const tc_add_params *p, int32_t a, int32_t b) {
    const int32_t x = (a + p->input1_offset) * (1 << p->left_shift);
    const int32_t y = (b + p->input2_offset) * (1 << p->left_shift);
    const int32_t sum = tc_requantize_fast(x, p->input1_multiplier, p->input1_shift)
                      + tc_requantize_fast(y, p->input2_multiplier, p->input2_shift);
    const int32_t r = tc_requantize_fast(sum, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)tc_clamp(r, p->act_min, p->act_max);
}

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

void tc_add_s8(const tc_add_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *a = in[0], *b = in[1];
    (void)scratch;
    if (flat_strides(p->dims, p->strides1) && flat_strides(p->dims, p->strides2)
        && p->left_shift == 31 - TC_ADD_SPLIT_BITS && tc_input_scale_ok(p->input1_shift)
        && tc_input_scale_ok(p->input2_shift) && p->output_shift <= -1 && p->output_shift >= -31) {
        const tc_input_scale s1 = tc_input_scale_of(p->input1_offset, p->input1_multiplier, p->input1_shift);
        const tc_input_scale s2 = tc_input_scale_of(p->input2_offset, p->input2_multiplier, p->input2_shift);
        /* locals, not p->: the int8 stores below could alias *p as far as C knows */
        const int64_t rounding = (1LL << 30) + (1LL << (30 - p->output_shift));
        const int32_t multiplier = p->output_multiplier, shift = p->output_shift;
        const int32_t zero_point = p->output_offset, act_min = p->act_min, act_max = p->act_max;
        const int8_t *end = out + p->dims[0] * p->dims[1] * p->dims[2] * p->dims[3];
        while (out < end) {
            const int32_t sum = tc_scale_input(&s1, *a++) + tc_scale_input(&s2, *b++);
            const int32_t r = tc_requantize_rounded(sum, multiplier, rounding, shift);
            *out++ = (int8_t)tc_clamp(r + zero_point, act_min, act_max);
        }
        return;
    }
    TC_BROADCAST_LOOP(p, a, b, out, add_one);
}

void tc_mul_s8(const tc_mul_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    TC_BROADCAST_LOOP(p, in[0], in[1], out, mul_one);
}

/* SUB: ADD's reference form with the difference of the scaled inputs. */
TC_INLINE int8_t sub_one(const tc_add_params *p, int32_t a, int32_t b) {
    const int32_t x = (a + p->input1_offset) * (1 << p->left_shift);
    const int32_t y = (b + p->input2_offset) * (1 << p->left_shift);
    const int32_t diff = tc_requantize_fast(x, p->input1_multiplier, p->input1_shift)
                       - tc_requantize_fast(y, p->input2_multiplier, p->input2_shift);
    const int32_t r = tc_requantize_fast(diff, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)tc_clamp(r, p->act_min, p->act_max);
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
    TC_BROADCAST_LOOP(p, in[0], in[1], out, sub_one);
}

void tc_maximum_s8(const tc_minmax_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    TC_BROADCAST_LOOP(p, in[0], in[1], out, max_one);
}

void tc_minimum_s8(const tc_minmax_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    TC_BROADCAST_LOOP(p, in[0], in[1], out, min_one);
}
