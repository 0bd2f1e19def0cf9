/* int8 ADD and MUL as TFLM computes them: ADD rescales both inputs to a common scale with
 * 20 bits of headroom, sums, and rescales to the output; MUL multiplies the offset inputs
 * and rescales once. Broadcasting walks the output in order with per-input strides. */
#include "tc_elementwise.h"

#include "tc_runtime.h"

TC_INLINE int8_t add_one(const tc_add_params *p, int32_t a, int32_t b) {
    const int32_t x = (a + p->input1_offset) * (1 << p->left_shift);
    const int32_t y = (b + p->input2_offset) * (1 << p->left_shift);
    const int32_t sum = tc_requantize(x, p->input1_multiplier, p->input1_shift)
                      + tc_requantize(y, p->input2_multiplier, p->input2_shift);
    const int32_t r = tc_requantize(sum, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)tc_clamp(r, p->act_min, p->act_max);
}

TC_INLINE int8_t mul_one(const tc_mul_params *p, int32_t a, int32_t b) {
    const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);
    const int32_t r = tc_requantize(prod, p->output_multiplier, p->output_shift) + p->output_offset;
    return (int8_t)tc_clamp(r, p->act_min, p->act_max);
}

#define TC_BROADCAST_LOOP(P, A, B, OUT, ONE)                                              \
    do {                                                                                  \
        int32_t i0, i1, i2, i3;                                                           \
        for (i0 = 0; i0 < (P)->dims[0]; i0++) {                                           \
            for (i1 = 0; i1 < (P)->dims[1]; i1++) {                                       \
                for (i2 = 0; i2 < (P)->dims[2]; i2++) {                                   \
                    const int8_t *a_ = (A) + i0 * (P)->strides1[0] + i1 * (P)->strides1[1] \
                                     + i2 * (P)->strides1[2];                             \
                    const int8_t *b_ = (B) + i0 * (P)->strides2[0] + i1 * (P)->strides2[1] \
                                     + i2 * (P)->strides2[2];                             \
                    for (i3 = 0; i3 < (P)->dims[3]; i3++) {                               \
                        *(OUT)++ = ONE((P), a_[i3 * (P)->strides1[3]],                    \
                                       b_[i3 * (P)->strides2[3]]);                        \
                    }                                                                     \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    } while (0)

void tc_add_s8(const tc_add_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    TC_BROADCAST_LOOP(p, in[0], in[1], out, add_one);
}

void tc_mul_s8(const tc_mul_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    TC_BROADCAST_LOOP(p, in[0], in[1], out, mul_one);
}
