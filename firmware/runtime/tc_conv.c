/* CONV_2D int8: im2col of two output pixels at a time (skipped for 1x1 kernels), then a
 * 2 pixel x 2 channel dot-product core (tc_mac.h) and per-channel requantization; with
 * int16 weights (wide) the two pixels are widened once and a 2 pixel x 4 channel core runs. */
#include "tc_conv.h"

#include <string.h>

#include "tc_mac.h"

/* Copy the receptive field of output pixel (oy, ox) into col (k_h * k_w * in_c bytes);
 * taps outside the image read the input zero point, so they add nothing once the folded
 * bias has taken input_zp * w out. */
static void im2col(const tc_conv2d_params *p, const int8_t *img, int32_t oy, int32_t ox, int8_t *col) {
    const int32_t c = p->in_c;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    const int32_t row_bytes = p->k_w * c;
    for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = iy0 + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) {
            memset(col, p->input_zp, (size_t)row_bytes);
            col += row_bytes;
            continue;
        }
        const int8_t *row = img + iy * p->in_w * c;
        if (p->dil_w == 1 && ix0 >= 0 && ix0 + p->k_w <= p->in_w) {
            memcpy(col, row + ix0 * c, (size_t)row_bytes);   /* the whole kernel row is inside */
            col += row_bytes;
            continue;
        }
        for (int32_t kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = ix0 + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) {
                memset(col, p->input_zp, (size_t)c);
            } else {
                memcpy(col, row + ix * c, (size_t)c);
            }
            col += c;
        }
    }
}

static const int8_t *patch(const tc_conv2d_params *p, const int8_t *img, int32_t pix, int8_t *col) {
    const int32_t oy = pix / p->out_w, ox = pix - oy * p->out_w;
    if (p->direct) {
        return img + ((oy * p->stride_h) * p->in_w + ox * p->stride_w) * p->in_c;
    }
    im2col(p, img, oy, ox, col);
    return col;
}

void tc_conv2d_s8(const tc_conv2d_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int32_t k = p->k_h * p->k_w * p->in_c;
    const int32_t npix = p->out_h * p->out_w;
    int8_t *col_a = (int8_t *)(((uintptr_t)scratch + 3u) & ~(uintptr_t)3u);
    int8_t *col_b = col_a + ((k + 3) & ~3);
    if (p->wide) {
        int32_t *x = (int32_t *)(void *)(p->direct ? col_a : col_b + ((k + 3) & ~3));
        for (int32_t n = 0; n < p->batches; n++) {
            const int8_t *img = in[0] + n * p->in_h * p->in_w * p->in_c;
            int8_t *o = out + n * npix * p->out_c;
            int32_t pix = 0;
            for (; pix + 1 < npix; pix += 2) {
                tc_widen2(patch(p, img, pix, col_a), patch(p, img, pix + 1, col_b), k, x);
                tc_rows_wide(2, x, o + pix * p->out_c, o + (pix + 1) * p->out_c, p->weights, p->bias, k,
                             p->out_c, &p->rq);
            }
            if (pix < npix) {   /* odd pixel count: the last one alone (row b repeats it) */
                const int8_t *a = patch(p, img, pix, col_a);
                tc_widen2(a, a, k, x);
                tc_rows_wide(1, x, o + pix * p->out_c, NULL, p->weights, p->bias, k, p->out_c, &p->rq);
            }
        }
        return;
    }

    for (int32_t n = 0; n < p->batches; n++) {
        const int8_t *img = in[0] + n * p->in_h * p->in_w * p->in_c;
        int8_t *o = out + n * npix * p->out_c;
        int32_t pix = 0;
        for (; pix + 1 < npix; pix += 2) {
            const int8_t *a = patch(p, img, pix, col_a);
            const int8_t *b = patch(p, img, pix + 1, col_b);
            int8_t *oa = o + pix * p->out_c;
            tc_rows_s8(2, a, b, oa, oa + p->out_c, p->weights, p->bias, k, p->out_c, &p->rq);
        }
        if (pix < npix) {   /* odd pixel count: the last one alone */
            tc_rows_s8(1, patch(p, img, pix, col_a), NULL, o + pix * p->out_c, NULL, p->weights, p->bias, k,
                       p->out_c, &p->rq);
        }
    }
}
