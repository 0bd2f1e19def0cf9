/* Huffman-coded weights (tc_huffman.h): canonical decoding into the dense layouts, then the
 * dense multiply-accumulate cores. */
#include "tc_huffman.h"

#include <string.h>

#include "tc_conv_cw.h"
#include "tc_mac.h"

typedef struct {
    uint32_t limit[TC_HUFF_MAX_BITS + 2];   /* 16-bit windows below limit[l]: codes of <= l bits */
    int32_t offset[TC_HUFF_MAX_BITS + 2];   /* symbol index of a length's code: offset + code */
    const uint8_t *symbols;
} huff_code;

typedef struct {
    huff_code run, value;
    const uint8_t *p;    /* next stream byte */
    uint32_t bits;       /* `avail` bits, left-aligned */
    int32_t avail;
    int32_t left;        /* entries not yet read */
    int32_t escape, k;
    const int8_t *codebook;
    int32_t cb_stride;
    int32_t c, j, v;     /* the current entry: channel, tap, value (c = INT32_MAX: none left) */
} huff_reader;

/* A code from its table (longest length n, counts of lengths 1..n, symbols); returns the
 * table that follows. Canonical: a length's first code is the previous length's first code
 * plus its count, shifted left by one. */
static const uint8_t *code_init(huff_code *h, const uint8_t *t) {
    const int32_t longest = t[0];
    uint32_t code = 0;
    int32_t index = 0;
    h->limit[0] = 0;
    for (int32_t l = 1; l <= TC_HUFF_MAX_BITS + 1; l++) {
        const int32_t n = l <= longest ? t[l] : 0;
        h->offset[l] = index - (int32_t)code;
        code += (uint32_t)n;
        index += n;
        h->limit[l] = l <= longest ? code << (16 - l) : 0x10000u;
        code <<= 1;
    }
    h->symbols = t + 1 + longest;
    return h->symbols + index;
}

TC_INLINE int32_t symbol(huff_reader *r, const huff_code *h) {
    while (r->avail <= 24) {
        r->bits |= (uint32_t)*r->p++ << (24 - r->avail);
        r->avail += 8;
    }
    const uint32_t w = r->bits >> 16;
    int32_t l = 1;
    while (w >= h->limit[l]) {
        l++;
    }
    r->bits <<= l;
    r->avail -= l;
    return h->symbols[h->offset[l] + (int32_t)(w >> (16 - l))];
}

/* Advance to the next entry: the zeros before it, then its value. */
static void next_entry(huff_reader *r) {
    if (r->left == 0) {
        r->c = INT32_MAX;
        return;
    }
    r->left--;
    int32_t j = r->j + 1;
    if (r->escape) {
        int32_t s;
        while ((s = symbol(r, &r->run)) == r->escape) {
            j += s;
        }
        j += s;
    }
    while (j >= r->k) {   /* runs cross rows */
        j -= r->k;
        r->c++;
    }
    r->j = j;
    const int32_t s = symbol(r, &r->value);
    r->v = r->codebook ? r->codebook[r->c * r->cb_stride + s] : (int8_t)s;
}

static void reader_init(huff_reader *r, const tc_hweights *w, int32_t k) {
    code_init(&r->value, code_init(&r->run, w->tables));
    r->p = w->stream;
    r->bits = 0;
    r->avail = 0;
    r->left = w->entries;
    r->escape = w->escape;
    r->k = k;
    r->codebook = w->codebook;
    r->cb_stride = w->cb_stride;
    r->c = 0;
    r->j = -1;
    next_entry(r);
}

/* Channels [c0, c0 + n) into dst in tc_mac.h's channel-pair layout: per pair and group of
 * 4 taps, a word of the even channel, then a word of the odd one (zero when c0 + n is odd). */
static void decode_pairs(huff_reader *r, int8_t *dst, int32_t c0, int32_t n) {
    const int32_t pair_bytes = 8 * ((r->k + 3) >> 2);
    memset(dst, 0, (size_t)(((n + 1) >> 1) * pair_bytes));
    while (r->c < c0 + n) {
        const int32_t c = r->c - c0, j = r->j;
        dst[(c >> 1) * pair_bytes + (j >> 2) * 8 + (c & 1) * 4 + (j & 3)] = (int8_t)r->v;
        next_entry(r);
    }
}

static int8_t *align4(int8_t *p) {
    return (int8_t *)(((uintptr_t)p + 3u) & ~(uintptr_t)3u);
}

/* The requantization of channels [c0, ...). */
static tc_requant requant_from(const tc_requant *q, int32_t c0) {
    tc_requant r = *q;
    r.multiplier += c0;
    r.shift += c0;
    if (r.rounding) {
        r.rounding += c0;
    }
    return r;
}

void tc_conv2d_huffman_s8(const tc_conv2d_hw_params *cp, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const tc_conv2d_params *p = &cp->base;
    const int32_t k = p->k_h * p->k_w * p->in_c;
    const int32_t npix = p->out_h * p->out_w;
    const int32_t group = cp->w.group;
    int8_t *w = align4(scratch);
    int8_t *col_a = align4(w + ((group + 1) >> 1) * 8 * ((k + 3) >> 2));
    int8_t *col_b = col_a + ((k + 3) & ~3);
    huff_reader r;
    reader_init(&r, &cp->w, k);
    for (int32_t c0 = 0; c0 < p->out_c; c0 += group) {
        const int32_t n = p->out_c - c0 < group ? p->out_c - c0 : group;
        const tc_requant rq = requant_from(&p->rq, c0);
        decode_pairs(&r, w, c0, n);
        for (int32_t b = 0; b < p->batches; b++) {
            const int8_t *img = in[0] + b * p->in_h * p->in_w * p->in_c;
            int8_t *o = out + b * npix * p->out_c + c0;
            int32_t pix = 0;
            for (; pix + 1 < npix; pix += 2) {
                int8_t *oa = o + pix * p->out_c;
                tc_rows_s8(2, tc_conv2d_patch(p, img, pix, col_a), tc_conv2d_patch(p, img, pix + 1, col_b), oa,
                           oa + p->out_c, (const int32_t *)w, p->bias + c0, k, n, &rq);
            }
            if (pix < npix) {
                tc_rows_s8(1, tc_conv2d_patch(p, img, pix, col_a), NULL, o + pix * p->out_c, NULL,
                           (const int32_t *)w, p->bias + c0, k, n, &rq);
            }
        }
    }
}

void tc_fully_connected_huffman_s8(const tc_fully_connected_hw_params *fp, const int8_t *const *in, int8_t *out,
                                   int8_t *scratch) {
    const tc_fully_connected_params *p = &fp->base;
    const int32_t k = p->depth, group = fp->w.group;
    int8_t *w = align4(scratch);
    huff_reader r;
    reader_init(&r, &fp->w, k);
    for (int32_t c0 = 0; c0 < p->out_c; c0 += group) {
        const int32_t n = p->out_c - c0 < group ? p->out_c - c0 : group;
        const tc_requant rq = requant_from(&p->rq, c0);
        decode_pairs(&r, w, c0, n);
        int32_t b = 0;
        for (; b + 1 < p->batches; b += 2) {
            const int8_t *a = in[0] + b * k;
            int8_t *oa = out + b * p->out_c + c0;
            tc_rows_s8(2, a, a + k, oa, oa + p->out_c, (const int32_t *)w, p->bias + c0, k, n, &rq);
        }
        if (b < p->batches) {
            tc_rows_s8(1, in[0] + b * k, NULL, out + b * p->out_c + c0, NULL, (const int32_t *)w, p->bias + c0, k,
                       n, &rq);
        }
    }
}

/* Depthwise: the whole layer at once (the dense kernel walks every channel per pixel), as
 * int16 quads (depth multiplier 1: per 4 channels and tap, lanes 0, 2, 1, 3) or TFLite's
 * [tap][channel] int8 layout. */
void tc_depthwise_conv2d_huffman_s8(const tc_depthwise_conv2d_hw_params *dp, const int8_t *const *in,
                                    int8_t *out, int8_t *scratch) {
    static const int8_t lane[4] = {0, 2, 1, 3};
    tc_depthwise_conv2d_params p = dp->base;
    const int32_t taps = p.k_h * p.k_w;
    int8_t *w = align4(scratch);
    int8_t *rest;
    huff_reader r;
    reader_init(&r, &dp->w, taps);
    if (p.depth_mult == 1) {
        int16_t *q = (int16_t *)(void *)w;
        const int32_t n = ((p.out_c + 3) >> 2) * 4 * taps;
        memset(q, 0, (size_t)n * 2);
        for (; r.c < p.out_c; next_entry(&r)) {
            q[((r.c >> 2) * taps + r.j) * 4 + lane[r.c & 3]] = (int16_t)r.v;
        }
        p.wquads = (const int32_t *)(void *)q;
        rest = w + n * 2;
    } else {
        memset(w, 0, (size_t)(taps * p.out_c));
        for (; r.c < p.out_c; next_entry(&r)) {
            w[r.j * p.out_c + r.c] = (int8_t)r.v;
        }
        p.weights = w;
        rest = w + taps * p.out_c;
    }
    tc_depthwise_conv2d_s8(&p, in, out, align4(rest));
}
