/* tinycompress native runtime: CONV_2D, int8 activations and weights, int32 bias. */
#ifndef TC_CONV_H
#define TC_CONV_H

#include <stdint.h>

#include "tc_mac.h"

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t k_h, k_w;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_top, pad_left;   /* TFLM's padding offsets (the extra row/column goes last) */
    int32_t direct;              /* 1: a patch is one input pixel (1x1 kernel), no im2col copy */
    int32_t input_zp;            /* the value out-of-image taps read */
    int32_t wide;                /* 1: weights pre-extended to int16 (tc_mac.h wide layout) */
    const int32_t *weights;      /* channel-pair packed, or the wide layout, see tc_mac.h */
    const int32_t *bias;         /* bias - input_zp * sum(weights), per channel, padded to even
                                    (to a multiple of 4 when wide) */
    tc_requant rq;               /* per-channel arrays padded like bias */
} tc_conv2d_params;

/* scratch, with K = (k_h * k_w * in_c + 3) & ~3: 2 * K + 4 bytes unless direct (then none),
 * plus 4 * K bytes when wide (the two widened rows). */
void tc_conv2d_s8(const tc_conv2d_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_CONV_H */
