/* DEPTHWISE_CONV_2D int8. For each output pixel, one input pointer per kernel tap; taps
 * outside the image point at a row of input_zp bytes, so every pixel runs the same
 * branch-free loop and the folded bias (bias - input_zp * sum w) stays exact. */
#include "tc_depthwise.h"

#include <string.h>

#include "tc_mac.h"

/* Channels [c, c + 4) of one pixel, depth multiplier 1: 4 accumulators over all taps. */
#if defined(TC_MAC_DSP)
static void quad(const tc_depthwise_conv2d_params *p, const int8_t *const *taps, int32_t ntaps, int32_t c,
                 int8_t *o) {
    int32_t s0 = p->bias[c], s1 = p->bias[c + 1], s2 = p->bias[c + 2], s3 = p->bias[c + 3];
    const int8_t *w = p->weights + c;
    for (int32_t t = 0; t < ntaps; t++, w += p->out_c) {
        int32_t x = tc_load32(taps[t] + c), k = tc_load32(w);
        int32_t x02 = tc_sxtb16(x), x13 = tc_sxtb16_ror8(x);
        int32_t k02 = tc_sxtb16(k), k13 = tc_sxtb16_ror8(k);
        s0 = tc_smlabb(x02, k02, s0);
        s2 = tc_smlatt(x02, k02, s2);
        s1 = tc_smlabb(x13, k13, s1);
        s3 = tc_smlatt(x13, k13, s3);
    }
    const tc_requant rq = p->rq;    /* a copy: stays in registers across the int8 stores */
    o[c] = tc_output_s8(s0, &rq, c);
    o[c + 1] = tc_output_s8(s1, &rq, c + 1);
    o[c + 2] = tc_output_s8(s2, &rq, c + 2);
    o[c + 3] = tc_output_s8(s3, &rq, c + 3);
}
#endif

void tc_depthwise_conv2d_s8(const tc_depthwise_conv2d_params *p, const int8_t *const *in, int8_t *out,
                            int8_t *scratch) {
    const int32_t ntaps = p->k_h * p->k_w;
    const int32_t dm = p->depth_mult, oc_n = p->out_c;
    const int8_t **taps = (const int8_t **)(((uintptr_t)scratch + 7u) & ~(uintptr_t)7u);
    int8_t *zrow = (int8_t *)(taps + ntaps);
    memset(zrow, p->input_zp, (size_t)p->in_c);

    for (int32_t n = 0; n < p->batches; n++) {
        const int8_t *img = in[0] + n * p->in_h * p->in_w * p->in_c;
        int8_t *o = out + n * p->out_h * p->out_w * oc_n;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            for (int32_t ox = 0; ox < p->out_w; ox++, o += oc_n) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t t = 0;
                for (int32_t ky = 0; ky < p->k_h; ky++) {
                    const int32_t iy = iy0 + ky * p->dil_h;
                    for (int32_t kx = 0; kx < p->k_w; kx++, t++) {
                        const int32_t ix = ix0 + kx * p->dil_w;
                        const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
                        taps[t] = inside ? img + (iy * p->in_w + ix) * p->in_c : zrow;
                    }
                }
                int32_t c = 0;
#if defined(TC_MAC_DSP)
                if (dm == 1) {
                    for (; c + 4 <= oc_n; c += 4) {
                        quad(p, taps, ntaps, c, o);
                    }
                }
#endif
                for (; c < oc_n; c++) {
                    const int32_t ic = dm == 1 ? c : c / dm;
                    int32_t acc = p->bias[c];
                    const int8_t *w = p->weights + c;
                    for (int32_t u = 0; u < ntaps; u++, w += oc_n) {
                        acc += taps[u][ic] * *w;
                    }
                    o[c] = tc_output_s8(acc, &p->rq, c);
                }
            }
        }
    }
}
