/* tinycompress native runtime: int8 RELU, RELU6 and LEAKY_RELU, one rescale-and-clamp kernel. */
#ifndef TC_ACTIVATION_H
#define TC_ACTIVATION_H

#include <stdint.h>

typedef struct {
    int32_t size;
    int32_t input_zero_point, output_zero_point;
    int32_t identity_multiplier, identity_shift;   /* inputs at or above the zero point */
    int32_t alpha_multiplier, alpha_shift;         /* inputs below it (|multiplier|) */
    int32_t alpha_negative;                        /* negate the scaled value (alpha < 0) */
    int32_t act_min, act_max;
} tc_leaky_relu_params;

void tc_leaky_relu_s8(const tc_leaky_relu_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_ACTIVATION_H */
