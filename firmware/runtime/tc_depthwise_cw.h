/* tinycompress native runtime: DEPTHWISE_CONV_2D with compressed weights (tc_cweights.h). */
#ifndef TC_DEPTHWISE_CW_H
#define TC_DEPTHWISE_CW_H

#include <stdint.h>

#include "tc_cweights.h"
#include "tc_depthwise.h"

typedef struct {
    tc_depthwise_conv2d_params base;   /* geometry, folded bias, requantization; weights unused */
    tc_cweights w;                     /* [out_c, k_h * k_w]: each channel's taps */
} tc_depthwise_conv2d_cw_params;

/* scratch: the dense tc_depthwise_conv2d_s8's (8 + 8 * k_h * k_w + in_c bytes: tap pointers
 * for two pixels and a row of input_zp). */
void tc_depthwise_conv2d_lut_s8(const tc_depthwise_conv2d_cw_params *p, const int8_t *const *in, int8_t *out,
                                int8_t *scratch);
void tc_depthwise_conv2d_sparse_s8(const tc_depthwise_conv2d_cw_params *p, const int8_t *const *in,
                                   int8_t *out, int8_t *scratch);
void tc_depthwise_conv2d_lut_sparse_s8(const tc_depthwise_conv2d_cw_params *p, const int8_t *const *in,
                                       int8_t *out, int8_t *scratch);

void tc_depthwise_conv2d_packed_s8(const tc_depthwise_conv2d_cw_params *p, const int8_t *const *in,
                                   int8_t *out, int8_t *scratch);

#endif /* TC_DEPTHWISE_CW_H */
