/* tinycompress native runtime: DEPTHWISE_CONV_2D, int8, any depth multiplier and dilation. */
#ifndef TC_DEPTHWISE_H
#define TC_DEPTHWISE_H

#include <stdint.h>

#include "tc_mac.h"

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;  /* out_c = in_c * depth_mult */
    int32_t depth_mult;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;
    int32_t input_zp;             /* the value out-of-image taps read */
    const int8_t *weights;        /* depth multiplier > 1: TFLite layout [k_h][k_w][out_c]; else NULL */
    const int32_t *wquads;        /* depth multiplier 1: per 4-channel group and tap, int16 pairs
                                     of channels (0, 2) then (1, 3) (packing.pack_quads_int16) */
    const int32_t *bias;          /* bias - input_zp * sum over taps of weights, per channel */
    tc_requant rq;
} tc_depthwise_conv2d_params;

/* scratch: in_c + 8 * k_h * k_w + 8 bytes (a row of input_zp and one pointer per tap). */
void tc_depthwise_conv2d_s8(const tc_depthwise_conv2d_params *p, const int8_t *const *in, int8_t *out,
                            int8_t *scratch);

/* The input pointer of each kernel tap of output pixel q into taps[0], taps[step], ...
 * (zrow: in_c bytes of input_zp, for taps outside the image). */
void tc_depthwise_fill_taps(const tc_depthwise_conv2d_params *p, const int8_t *img, const int8_t *zrow,
                            int32_t q, const int8_t **taps, int32_t step);

#endif /* TC_DEPTHWISE_H */
