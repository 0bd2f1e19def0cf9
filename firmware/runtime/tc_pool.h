/* tinycompress native runtime: int8 average and max pooling (NHWC). */
#ifndef TC_POOL_H
#define TC_POOL_H

#include <stdint.h>

typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    int32_t filter_h, filter_w, stride_h, stride_w, pad_h, pad_w;
    int32_t act_min, act_max;
} tc_pool_params;

void tc_avgpool_s8(const tc_pool_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
void tc_maxpool_s8(const tc_pool_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_POOL_H */
