/* tinycompress native runtime: int8 MEAN over any of 4 axes. */
#ifndef TC_MEAN_H
#define TC_MEAN_H

#include <stdint.h>

typedef struct {
    int32_t in_dims[4];     /* extended to 4-D */
    int32_t reduce[4];      /* 1 where the axis is reduced */
    int32_t count;          /* elements per mean */
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier, shift;   /* input/output scale with 1/count folded in (as TFLM) */
} tc_mean_params;

void tc_mean_s8(const tc_mean_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_MEAN_H */
