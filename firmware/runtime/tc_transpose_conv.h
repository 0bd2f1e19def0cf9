/* tinycompress native runtime: int8 TRANSPOSE_CONV with per-channel requantization.
 *
 * TFLM's order: every input pixel scatters (x + input_offset) * w into an int32 accumulator
 * per output value (the scratch), then bias, requantization and clamp per output value. */
#ifndef TC_TRANSPOSE_CONV_H
#define TC_TRANSPOSE_CONV_H

#include <stdint.h>

#include "tc_mac.h"

typedef struct {
    int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c;
    int32_t k_h, k_w, stride_h, stride_w, pad_top, pad_left;
    int32_t input_offset;                /* minus the input zero point */
    const int8_t *weights;               /* OHWI */
    const int32_t *bias;                 /* per output channel (zeros without a bias) */
    tc_requant rq;
} tc_transpose_conv_params;

/* scratch: out_h * out_w * out_c int32 accumulators (4-byte aligned). */
void tc_transpose_conv_s8(const tc_transpose_conv_params *p, const int8_t *const *in, int8_t *out,
                          int8_t *scratch);

#endif /* TC_TRANSPOSE_CONV_H */
