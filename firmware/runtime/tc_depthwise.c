/* DEPTHWISE_CONV_2D int8. For each output pixel, one input pointer per kernel tap; taps
 * outside the image point at a row of input_zp bytes, so every pixel runs the same
 * branch-free loop and the folded bias (bias - input_zp * sum w) stays exact. */
#include "tc_depthwise.h"

#include <string.h>

#include "tc_mac.h"

#if defined(TC_MAC_DSP)
/* Channel c's requantization for two pixels: the per-channel constants are read once and
 * both int8 results computed before either store (an int8 store may alias them). */
TC_INLINE void out_pair(int32_t a, int32_t b, const tc_requant *q, int32_t c, int8_t *oa, int8_t *ob) {
    const int32_t m = q->multiplier[c], s = q->shift[c];
    int32_t va, vb;
    if (q->rounding) {
        const int64_t r = q->rounding[c];
        va = tc_requantize_rounded(a, m, r, s);
        vb = tc_requantize_rounded(b, m, r, s);
    } else {
        va = tc_requantize_fast(a, m, s);
        vb = tc_requantize_fast(b, m, s);
    }
    va = tc_clamp(va + q->output_zp, q->act_min, q->act_max);
    vb = tc_clamp(vb + q->output_zp, q->act_min, q->act_max);
    oa[c] = (int8_t)va;
    ob[c] = (int8_t)vb;
}

/* Channels [c, c + 4) of one pixel: 4 accumulators over all taps (taps[0], taps[2], ...);
 * per tap one LDRD fetches the group's weights, already int16 pairs (0, 2) and (1, 3). With
 * ntaps a constant (3x3) the loop unrolls: tap and weight offsets become immediates. */
TC_INLINE void mac4(const int8_t *const *taps, const int32_t *w, int32_t ntaps, int32_t c, int32_t *s) {
    int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
#pragma GCC unroll 9
    for (int32_t u = 0; u < ntaps; u++) {
        const int32_t x = tc_load32(taps[2 * u] + c), k02 = w[2 * u], k13 = w[2 * u + 1];
        const int32_t x02 = tc_sxtb16(x), x13 = tc_sxtb16_ror8(x);
        s0 = tc_smlabb(x02, k02, s0);
        s2 = tc_smlatt(x02, k02, s2);
        s1 = tc_smlabb(x13, k13, s1);
        s3 = tc_smlatt(x13, k13, s3);
        __asm__ volatile("" ::: "memory");    /* keeps each tap's loads in its tap: hoisted
                                                 all ahead, they spilled to the stack */
    }
    s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;
}

/* Channels [c, c + 4) of two output pixels, depth multiplier 1: taps holds one pointer
 * pair (pixel a, pixel b) per tap; the pixels' tap loops run one after the other (4
 * accumulators each stay in registers) and share the requantization constants. */
static void quad2(const tc_depthwise_conv2d_params *p, const int8_t *const *taps, int32_t ntaps, int32_t c,
                  int8_t *oa, int8_t *ob) {
    int32_t a[4] = {p->bias[c], p->bias[c + 1], p->bias[c + 2], p->bias[c + 3]};
    int32_t b[4] = {a[0], a[1], a[2], a[3]};
    const int32_t *w = p->wquads + (c >> 1) * ntaps;      /* (c / 4) groups of 2 * ntaps words */
    if (ntaps == 9) {
        mac4(taps, w, 9, c, a);
        mac4(taps + 1, w, 9, c, b);
    } else {
        mac4(taps, w, ntaps, c, a);
        mac4(taps + 1, w, ntaps, c, b);
    }
    const int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
    const tc_requant rq = p->rq;    /* a copy: stays in registers across the int8 stores */
    out_pair(a0, b0, &rq, c, oa, ob);
    out_pair(a1, b1, &rq, c + 1, oa, ob);
    out_pair(a2, b2, &rq, c + 2, oa, ob);
    out_pair(a3, b3, &rq, c + 3, oa, ob);
}
#endif

/* The input pointer of each tap of output pixel q (row-major over out_h x out_w), written
 * to taps[0], taps[step], ... (tc_depthwise_cw.c walks the same pointers) */
void tc_depthwise_fill_taps(const tc_depthwise_conv2d_params *p, const int8_t *img, const int8_t *zrow, int32_t q,
                            const int8_t **taps, int32_t step) {
    const int32_t oy = q / p->out_w, ox = q - oy * p->out_w;
    const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
    for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = iy0 + ky * p->dil_h;
        for (int32_t kx = 0; kx < p->k_w; kx++, taps += step) {
            const int32_t ix = ix0 + kx * p->dil_w;
            const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            *taps = inside ? img + (iy * p->in_w + ix) * p->in_c : zrow;
        }
    }
}

/* Output channels [c, out_c) of one pixel, one at a time: any depth multiplier. */
static void channels(const tc_depthwise_conv2d_params *p, const int8_t *const *taps, int32_t step, int32_t c,
                     int8_t *o) {
    const int32_t ntaps = p->k_h * p->k_w, dm = p->depth_mult, oc_n = p->out_c;
    for (; c < oc_n; c++) {
        int32_t acc = p->bias[c];
        if (p->wquads) {            /* depth multiplier 1: lane of c in its group's int16 words */
            const int16_t *w = (const int16_t *)(p->wquads + (c >> 2) * 2 * ntaps) + (((c & 1) << 1) | ((c & 2) >> 1));
            for (int32_t u = 0; u < ntaps; u++, w += 4) {
                acc += taps[u * step][c] * *w;
            }
        } else {
            const int32_t ic = c / dm;
            const int8_t *w = p->weights + c;
            for (int32_t u = 0; u < ntaps; u++, w += oc_n) {
                acc += taps[u * step][ic] * *w;
            }
        }
        o[c] = tc_output_s8(acc, &p->rq, c);
    }
}

void tc_depthwise_conv2d_s8(const tc_depthwise_conv2d_params *p, const int8_t *const *in, int8_t *out,
                            int8_t *scratch) {
    const int32_t ntaps = p->k_h * p->k_w, oc_n = p->out_c, npix = p->out_h * p->out_w;
    const int8_t **taps = (const int8_t **)(((uintptr_t)scratch + 7u) & ~(uintptr_t)7u);
#if defined(TC_MAC_DSP)
    /* Two pixels per pass: 2 * ntaps 4-byte pointers fit the 8 * ntaps bytes planned. */
    int8_t *zrow = (int8_t *)(taps + 2 * ntaps);
#else
    int8_t *zrow = (int8_t *)(taps + ntaps);
#endif
    memset(zrow, p->input_zp, (size_t)p->in_c);

    for (int32_t n = 0; n < p->batches; n++) {
        const int8_t *img = in[0] + n * p->in_h * p->in_w * p->in_c;
        int8_t *o = out + n * npix * oc_n;
#if defined(TC_MAC_DSP)
        /* Pixels in pairs (a, b) in row-major order, across row ends; an odd last pixel
         * pairs with itself (both halves then write the same bytes). */
        for (int32_t q = 0; q < npix; q += 2) {
            const int32_t qb = q + 1 < npix ? q + 1 : q;
            int8_t *oa = o + q * oc_n, *ob = o + qb * oc_n;
            tc_depthwise_fill_taps(p, img, zrow, q, taps, 2);
            tc_depthwise_fill_taps(p, img, zrow, qb, taps + 1, 2);
            int32_t c = 0;
            if (p->depth_mult == 1) {
                for (; c + 4 <= oc_n; c += 4) {
                    quad2(p, taps, ntaps, c, oa, ob);
                }
            }
            if (c < oc_n) {
                channels(p, taps, 2, c, oa);
                channels(p, taps + 1, 2, c, ob);
            }
        }
#else
        for (int32_t q = 0; q < npix; q++) {
            tc_depthwise_fill_taps(p, img, zrow, q, taps, 1);
            channels(p, taps, 1, 0, o + q * oc_n);
        }
#endif
    }
}
