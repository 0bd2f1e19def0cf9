/* DEPTHWISE_CONV_2D with compressed weights, on the dense kernel's tap pointers: per pair of
 * output pixels one input pointer per tap and pixel (taps outside the image point at a row
 * of input_zp bytes, which the folded bias takes back out), so the scratch is the dense
 * kernel's and no input byte is copied. Each channel's entries name the taps they weigh;
 * one decoded weight serves both pixels. */
#include "tc_depthwise_cw.h"

#include <string.h>

/* Pixel pairs need 2 * ntaps pointers, which fit the dense kernel's 8 * ntaps scratch bytes
 * only where a pointer takes 4 bytes (the device); a 64-bit host runs one pixel at a time. */
#define DW_STEP (sizeof(void *) > 4 ? 1 : 2)

/* Tap j of channel ic for pixels a and b: taps[STEP j] and the one after it (STEP 1: a again). */
#define DW_MAC(j, v)                                          \
    do {                                                      \
        sa += taps[DW_STEP * (j)][ic] * (v);                  \
        sb += taps[DW_STEP * (j) + DW_STEP - 1][ic] * (v);    \
    } while (0)

/* Channel c's entries (formats of tc_cweights.h) against both pixels; returns the stream
 * after them (packed: the cursor moves instead). bits is a literal where it is 4. */
TC_INLINE const uint8_t *dw_channel(int32_t fmt, uint32_t bits, const tc_cweights *w, int32_t c, const uint8_t *s,
                                    tc_cw_cursor *cur, const int8_t *cb, const int8_t *const *taps,
                                    int32_t ntaps, int32_t ic, int32_t *acc_a, int32_t *acc_b) {
    const uint32_t imask = (1u << bits) - 1u;
    int32_t sa = *acc_a, sb = *acc_b;
    if (fmt == TC_CW_LUT) {
        for (int32_t j = 0; j < ntaps; j++) {
            const uint32_t pos = (uint32_t)j * bits;
            const uint8_t *p = s + (pos >> 3);
            const int32_t v = cb[(((uint32_t)p[0] | (uint32_t)p[1] << 8) >> (pos & 7u)) & imask];
            DW_MAC(j, v);
        }
        s += w->row_bytes;
    } else if (fmt == TC_CW_PACKED) {
        const uint8_t *st = (const uint8_t *)w->stream;
        const uint32_t width = bits + (uint32_t)w->run_bits, rmask = (1u << (uint32_t)w->run_bits) - 1u;
        uint32_t pos = cur->pos, j = cur->j, idx = cur->idx;
        while (j < (uint32_t)ntaps) {
            const int32_t v = cb[idx];
            DW_MAC(j, v);
            const uint32_t f = tc_cw_bits_at(st, pos);
            pos += width;
            j += 1u + ((f >> bits) & rmask);
            idx = f & imask;
        }
        cur->pos = pos, cur->j = j - (uint32_t)ntaps, cur->idx = idx;
    } else {
        int32_t j = -1;
        for (int32_t n = w->counts[c]; n > 0; n--) {
            int32_t v;
            if (fmt == TC_CW_SPARSE) {
                j += 1 + s[0];
                v = (int8_t)s[1];
                s += 2;
            } else {
                j += 1 + (int32_t)(*s >> bits);
                v = cb[*s++ & imask];
            }
            DW_MAC(j, v);
        }
    }
    *acc_a = sa;
    *acc_b = sb;
    return s;
}

TC_INLINE void dw_cw(int32_t fmt, const tc_depthwise_conv2d_cw_params *cp, const int8_t *x, int8_t *out,
                     int8_t *scratch) {
    const tc_depthwise_conv2d_params *p = &cp->base;
    const tc_cweights *w = &cp->w;
    const tc_requant rq = p->rq;
    const int32_t ntaps = p->k_h * p->k_w, oc_n = p->out_c, npix = p->out_h * p->out_w;
    const int8_t **taps = (const int8_t **)(((uintptr_t)scratch + 7u) & ~(uintptr_t)7u);
    int8_t *zrow = (int8_t *)(taps + DW_STEP * ntaps);    /* within the dense kernel's scratch */
    memset(zrow, p->input_zp, (size_t)p->in_c);
    for (int32_t n = 0; n < p->batches; n++) {
        const int8_t *img = x + n * p->in_h * p->in_w * p->in_c;
        int8_t *o = out + n * npix * oc_n;
        /* pixels in pairs across row ends; an odd last pixel pairs with itself */
        for (int32_t q = 0; q < npix; q += DW_STEP) {
            const int32_t qb = DW_STEP == 2 && q + 1 < npix ? q + 1 : q;
            int8_t *oa = o + q * oc_n, *ob = o + qb * oc_n;
            tc_depthwise_fill_taps(p, img, zrow, q, taps, DW_STEP);
            if (DW_STEP == 2) {
                tc_depthwise_fill_taps(p, img, zrow, qb, taps + 1, DW_STEP);
            }
            const uint8_t *s = (const uint8_t *)w->stream;
            const int8_t *cb = w->codebook;
            tc_cw_cursor cur = {0, 0, 0};
            if (fmt == TC_CW_PACKED) {
                cur = tc_cw_packed_start(w);
            }
            for (int32_t c = 0; c < oc_n; c++, cb += w->cb_stride) {
                int32_t a = p->bias[c], b = a;
                const int32_t ic = c / p->depth_mult;
                if (w->bits == 4) {
                    s = dw_channel(fmt, 4, w, c, s, &cur, cb, taps, ntaps, ic, &a, &b);
                } else {
                    s = dw_channel(fmt, (uint32_t)w->bits, w, c, s, &cur, cb, taps, ntaps, ic, &a, &b);
                }
                const int8_t va = tc_output_s8(a, &rq, c), vb = tc_output_s8(b, &rq, c);
                oa[c] = va;
                ob[c] = vb;
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

void tc_depthwise_conv2d_packed_s8(const tc_depthwise_conv2d_cw_params *p, const int8_t *const *in,
                                   int8_t *out, int8_t *scratch) {
    dw_cw(TC_CW_PACKED, p, in[0], out, scratch);
}
