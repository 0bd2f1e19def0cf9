/* tinycompress native runtime: int8 SOFTMAX (output scale 1/256, zero point -128). */
#ifndef TC_SOFTMAX_H
#define TC_SOFTMAX_H

#include <stdint.h>

typedef struct {
    int32_t outer, depth;             /* rows, and elements per row (the last dimension) */
    int32_t input_multiplier, input_left_shift, diff_min;
} tc_softmax_params;

void tc_softmax_s8(const tc_softmax_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_SOFTMAX_H */
