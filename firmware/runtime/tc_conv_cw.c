/* CONV_2D with compressed weights: each output pixel's receptive field gathered into a
 * patch (taps outside the image read the input zero point, which the folded bias takes
 * back out), two pixels sharing each decoded weight. */
#include "tc_conv_cw.h"

#include <string.h>

const int8_t *tc_conv2d_patch(const tc_conv2d_params *p, const int8_t *img, int32_t pix, int8_t *col) {
    const int32_t oy = pix / p->out_w, ox = pix - oy * p->out_w;
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    const int32_t c = p->in_c;
    if (p->direct) {
        return img + (iy0 * p->in_w + ix0) * c;
    }
    int8_t *dst = col;
    for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = iy0 + ky * p->dil_h;
        if (p->dil_w == 1 && iy >= 0 && iy < p->in_h && ix0 >= 0 && ix0 + p->k_w <= p->in_w) {
            memcpy(dst, img + (iy * p->in_w + ix0) * c, (size_t)(p->k_w * c));   /* whole row inside */
            dst += p->k_w * c;
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; kx++, dst += c) {
            const int32_t ix = ix0 + kx * p->dil_w;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                memset(dst, p->input_zp, (size_t)c);
            } else {
                memcpy(dst, img + (iy * p->in_w + ix) * c, (size_t)c);
            }
        }
    }
    return col;
}

TC_INLINE void conv_cw(int32_t fmt, const tc_conv2d_cw_params *cp, const int8_t *x, int8_t *out,
                       int8_t *scratch) {
    const tc_conv2d_params *p = &cp->base;
    const int32_t k = p->k_h * p->k_w * p->in_c;
    const int32_t npix = p->out_h * p->out_w;
    int8_t *col_a = (int8_t *)(((uintptr_t)scratch + 3u) & ~(uintptr_t)3u);
    int8_t *col_b = col_a + ((k + 3) & ~3);
    for (int32_t n = 0; n < p->batches; n++) {
        const int8_t *img = x + n * p->in_h * p->in_w * p->in_c;
        int8_t *o = out + n * npix * p->out_c;
        int32_t pix = 0;
        for (; pix + 1 < npix; pix += 2) {
            int8_t *oa = o + pix * p->out_c;
            tc_cw_rows(fmt, 2, tc_conv2d_patch(p, img, pix, col_a), tc_conv2d_patch(p, img, pix + 1, col_b), oa,
                       oa + p->out_c, &cp->w, p->bias, k, p->out_c, &p->rq);
        }
        if (pix < npix) {
            tc_cw_rows(fmt, 1, tc_conv2d_patch(p, img, pix, col_a), NULL, o + pix * p->out_c, NULL, &cp->w, p->bias,
                       k, p->out_c, &p->rq);
        }
    }
}

void tc_conv2d_lut_s8(const tc_conv2d_cw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    conv_cw(TC_CW_LUT, p, in[0], out, scratch);
}

void tc_conv2d_sparse_s8(const tc_conv2d_cw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    conv_cw(TC_CW_SPARSE, p, in[0], out, scratch);
}

void tc_conv2d_lut_sparse_s8(const tc_conv2d_cw_params *p, const int8_t *const *in, int8_t *out,
                             int8_t *scratch) {
    conv_cw(TC_CW_LUT_SPARSE, p, in[0], out, scratch);
}

void tc_conv2d_packed_s8(const tc_conv2d_cw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    conv_cw(TC_CW_PACKED, p, in[0], out, scratch);
}
