/* DEPTHWISE_CONV_2D with compressed weights: per output pixel, its taps gathered channel-major
 * (taps outside the image read the input zero point, which the folded bias takes back out),
 * so each channel's taps are one contiguous row for tc_cweights.h's decoders. */
#include "tc_depthwise_cw.h"

static void dw_gather(const tc_depthwise_conv2d_params *p, const int8_t *img, int32_t oy, int32_t ox,
                      int8_t *patch) {
    const int32_t taps = p->k_h * p->k_w, c = p->in_c;
    for (int32_t ky = 0, t = 0; ky < p->k_h; ky++) {
        const int32_t iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
        for (int32_t kx = 0; kx < p->k_w; kx++, t++) {
            const int32_t ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (int32_t i = 0; i < c; i++) {
                    patch[i * taps + t] = (int8_t)p->input_zp;
                }
            } else {
                const int8_t *src = img + (iy * p->in_w + ix) * c;
                for (int32_t i = 0; i < c; i++) {
                    patch[i * taps + t] = src[i];
                }
            }
        }
    }
}

TC_INLINE void dw_cw(int32_t fmt, const tc_depthwise_conv2d_cw_params *cp, const int8_t *x, int8_t *out,
                     int8_t *patch) {
    const tc_depthwise_conv2d_params *p = &cp->base;
    const tc_requant rq = p->rq;
    const int32_t taps = p->k_h * p->k_w;
    for (int32_t n = 0; n < p->batches; n++) {
        const int8_t *img = x + n * p->in_h * p->in_w * p->in_c;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            for (int32_t ox = 0; ox < p->out_w; ox++, out += p->out_c) {
                dw_gather(p, img, oy, ox, patch);
                const uint8_t *s = (const uint8_t *)cp->w.stream;
                const int8_t *cb = cp->w.codebook;
                for (int32_t c = 0; c < p->out_c; c++, cb += cp->w.cb_stride) {
                    int32_t acc = p->bias[c], unused = 0;
                    s = tc_cw_channel(fmt, 1, &cp->w, c, s, cb, patch + (c / p->depth_mult) * taps, NULL, taps,
                                      &acc, &unused);
                    out[c] = tc_output_s8(acc, &rq, c);
                }
            }
        }
    }
}

void tc_depthwise_conv2d_lut_s8(const tc_depthwise_conv2d_cw_params *p, const int8_t *const *in, int8_t *out,
                                int8_t *scratch) {
    dw_cw(TC_CW_LUT, p, in[0], out, scratch);
}

void tc_depthwise_conv2d_sparse_s8(const tc_depthwise_conv2d_cw_params *p, const int8_t *const *in,
                                   int8_t *out, int8_t *scratch) {
    dw_cw(TC_CW_SPARSE, p, in[0], out, scratch);
}

void tc_depthwise_conv2d_lut_sparse_s8(const tc_depthwise_conv2d_cw_params *p, const int8_t *const *in,
                                       int8_t *out, int8_t *scratch) {
    dw_cw(TC_CW_LUT_SPARSE, p, in[0], out, scratch);
}
