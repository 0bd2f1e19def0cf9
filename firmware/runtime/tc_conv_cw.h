/* tinycompress native runtime: CONV_2D with compressed weights (tc_cweights.h). */
#ifndef TC_CONV_CW_H
#define TC_CONV_CW_H

#include <stdint.h>

#include "tc_conv.h"
#include "tc_cweights.h"

typedef struct {
    tc_conv2d_params base;   /* geometry, folded bias, requantization; base.weights unused */
    tc_cweights w;
} tc_conv2d_cw_params;

/* Output pixel pix's receptive field: the input itself when base.direct, else gathered
 * into col (out-of-image taps read input_zp). Shared with tc_huffman.c. */
const int8_t *tc_conv2d_patch(const tc_conv2d_params *p, const int8_t *img, int32_t pix, int8_t *col);

/* scratch: 2 * ((k_h * k_w * in_c + 3) & ~3) + 4 bytes unless base.direct (then none). */
void tc_conv2d_lut_s8(const tc_conv2d_cw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
void tc_conv2d_sparse_s8(const tc_conv2d_cw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
void tc_conv2d_lut_sparse_s8(const tc_conv2d_cw_params *p, const int8_t *const *in, int8_t *out,
                             int8_t *scratch);

void tc_conv2d_packed_s8(const tc_conv2d_cw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_CONV_CW_H */
