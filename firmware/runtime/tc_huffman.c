/* Huffman-coded weights (tc_huffman.h): canonical decoding into the dense layouts, then the
 * dense multiply-accumulate cores (tc_mac.h). */
#include "tc_huffman.h"

#include <string.h>

#include "tc_conv_cw.h"
#include "tc_mac.h"

#define PEEK 6   /* codes of at most PEEK bits decode with one table look-up */

typedef struct {
    uint16_t fast[1 << PEEK];               /* next PEEK bits -> symbol << 4 | length (0: longer) */
    uint32_t limit[TC_HUFF_MAX_BITS + 2];   /* 16-bit windows below limit[l]: codes of <= l bits */
    int32_t offset[TC_HUFF_MAX_BITS + 2];   /* symbol index of a length's code: offset + code */
    const uint8_t *symbols;
} huff_code;

/* Where the stream is and the current entry: the decoding loops keep a copy in registers. */
typedef struct {
    const uint8_t *p;    /* next stream byte */
    uint32_t bits;       /* `avail` bits, left-aligned */
    int32_t avail;
    int32_t left;        /* entries not yet read */
    int32_t c, j, v;     /* the current entry: channel, tap, value (c = INT32_MAX: none left) */
} huff_pos;

/* What the entries mean: the decoding loops keep a copy in registers. */
typedef struct {
    const int8_t *codebook;
    int32_t cb_stride, escape, k;
} huff_shape;

typedef struct {
    huff_code run, value;
    huff_shape shape;
    huff_pos pos;
} huff_reader;

/* A code from its table (longest length n, counts of lengths 1..n, symbols); returns the
 * table that follows. Canonical: a length's first code is the previous length's first code
 * plus its count, shifted left by one. */
/* The reader lives at the start of the layer's scratch (the memory plan's, not the stack). */
typedef char reader_fits[sizeof(huff_reader) <= TC_HUFF_READER_BYTES ? 1 : -1];

static const uint8_t *code_init(huff_code *h, const uint8_t *t) {
    const int32_t longest = t[0];
    uint32_t code = 0;
    int32_t index = 0;
    h->symbols = t + 1 + longest;
    memset(h->fast, 0, sizeof h->fast);
    for (int32_t l = 1; l <= TC_HUFF_MAX_BITS + 1; l++) {
        const int32_t n = l <= longest ? t[l] : 0;
        h->offset[l] = index - (int32_t)code;
        for (int32_t i = 0; i < n && l <= PEEK; i++) {   /* every PEEK-bit window starting with it */
            const uint32_t first = (code + (uint32_t)i) << (PEEK - l);
            for (uint32_t e = 0; e < 1u << (PEEK - l); e++) {
                h->fast[first + e] = (uint16_t)(h->symbols[index + i] << 4 | l);
            }
        }
        code += (uint32_t)n;
        index += n;
        h->limit[l] = l <= longest ? code << (16 - l) : 0x10000u;
        code <<= 1;
    }
    return h->symbols + index;
}

TC_INLINE int32_t symbol(huff_pos *s, const huff_code *h) {
    if (s->avail <= 16) {   /* two bytes: at least 17 bits, more than the longest code */
        s->bits |= ((uint32_t)s->p[0] << 8 | s->p[1]) << (16 - s->avail);
        s->p += 2;
        s->avail += 16;
    }
    const uint32_t e = h->fast[s->bits >> (32 - PEEK)];
    int32_t l = (int32_t)(e & 15u), sym;
    if (l) {
        sym = (int32_t)(e >> 4);
    } else {
        const uint32_t w = s->bits >> 16;
        l = PEEK + 1;
        while (w >= h->limit[l]) {
            l++;
        }
        sym = h->symbols[h->offset[l] + (int32_t)(w >> (16 - l))];
    }
    s->bits <<= l;
    s->avail -= l;
    return sym;
}

/* Advance to the next entry: the zeros before it, then its value. */
TC_INLINE void next_entry(huff_pos *s, const huff_reader *r, const huff_shape *sh) {
    if (s->left == 0) {
        s->c = INT32_MAX;
        return;
    }
    s->left--;
    int32_t j = s->j + 1;
    if (sh->escape) {
        int32_t run;
        while ((run = symbol(s, &r->run)) == sh->escape) {
            j += run;
        }
        j += run;
    }
    while (j >= sh->k) {   /* runs cross rows */
        j -= sh->k;
        s->c++;
    }
    s->j = j;
    const int32_t v = symbol(s, &r->value);
    s->v = sh->codebook ? sh->codebook[s->c * sh->cb_stride + v] : (int8_t)v;
}

static void reader_init(huff_reader *r, const tc_hweights *w, int32_t k) {
    code_init(&r->value, code_init(&r->run, w->tables));
    r->shape = (huff_shape){w->codebook, w->cb_stride, w->escape, k};
    r->pos = (huff_pos){w->stream, 0, 0, w->entries, 0, -1, 0};
    next_entry(&r->pos, r, &r->shape);
}

/* Channels [c0, c0 + n) into dst in tc_mac.h's channel-pair layout: per pair and group of
 * 4 taps, a word of the even channel, then a word of the odd one (zero when c0 + n is odd). */
static void decode_pairs(huff_reader *r, int8_t *dst, int32_t c0, int32_t n) {
    const huff_shape sh = r->shape;
    const int32_t pair_bytes = 8 * ((sh.k + 3) >> 2);
    huff_pos s = r->pos;
    memset(dst, 0, (size_t)(((n + 1) >> 1) * pair_bytes));
    for (; s.c < c0 + n; next_entry(&s, r, &sh)) {
        const int32_t c = s.c - c0;
        dst[(c >> 1) * pair_bytes + (s.j >> 2) * 8 + (c & 1) * 4 + (s.j & 3)] = (int8_t)s.v;
    }
    r->pos = s;
}

static int8_t *align8(int8_t *p) {
    return (int8_t *)(((uintptr_t)p + 7u) & ~(uintptr_t)7u);
}

/* The reader at the start of scratch; *rest: where the decoded weights go. */
static huff_reader *reader_at(int8_t *scratch, int8_t **rest) {
    huff_reader *r = (huff_reader *)(void *)align8(scratch);
    *rest = (int8_t *)r + TC_HUFF_READER_BYTES;
    return r;
}

/* Rows a and b (b NULL: a alone) against channels [c0, c0 + n), decoded at w: one copy of
 * the dense core for both kernels. */
static void group_rows(const int8_t *a, const int8_t *b, int8_t *oa, int8_t *ob, const int8_t *w,
                       const int32_t *bias, int32_t k, int32_t c0, int32_t n, const tc_requant *q) {
    tc_requant rq = *q;
    rq.multiplier += c0;
    rq.shift += c0;
    if (rq.rounding) {
        rq.rounding += c0;
    }
    if (b) {
        tc_rows_s8(2, a, b, oa + c0, ob + c0, (const int32_t *)(const void *)w, bias + c0, k, n, &rq);
    } else {
        tc_rows_s8(1, a, NULL, oa + c0, NULL, (const int32_t *)(const void *)w, bias + c0, k, n, &rq);
    }
}

void tc_conv2d_huffman_s8(const tc_conv2d_hw_params *cp, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const tc_conv2d_params *p = &cp->base;
    const int32_t k = p->k_h * p->k_w * p->in_c;
    const int32_t npix = p->out_h * p->out_w;
    const int32_t group = cp->w.group;
    int8_t *w;
    huff_reader *r = reader_at(scratch, &w);
    int8_t *col_a = w + ((group + 1) >> 1) * 8 * ((k + 3) >> 2);   /* a multiple of 8 */
    int8_t *col_b = col_a + ((k + 3) & ~3);
    reader_init(r, &cp->w, k);
    for (int32_t c0 = 0; c0 < p->out_c; c0 += group) {
        const int32_t n = p->out_c - c0 < group ? p->out_c - c0 : group;
        decode_pairs(r, w, c0, n);
        for (int32_t b = 0; b < p->batches; b++) {
            const int8_t *img = in[0] + b * p->in_h * p->in_w * p->in_c;
            int8_t *o = out + b * npix * p->out_c;
            for (int32_t pix = 0; pix < npix; pix += 2) {
                const int8_t *pb = pix + 1 < npix ? tc_conv2d_patch(p, img, pix + 1, col_b) : NULL;
                int8_t *oa = o + pix * p->out_c;
                group_rows(tc_conv2d_patch(p, img, pix, col_a), pb, oa, oa + p->out_c, w, p->bias, k, c0, n,
                           &p->rq);
            }
        }
    }
}

void tc_fully_connected_huffman_s8(const tc_fully_connected_hw_params *fp, const int8_t *const *in, int8_t *out,
                                   int8_t *scratch) {
    const tc_fully_connected_params *p = &fp->base;
    const int32_t k = p->depth, group = fp->w.group;
    int8_t *w;
    huff_reader *r = reader_at(scratch, &w);
    reader_init(r, &fp->w, k);
    for (int32_t c0 = 0; c0 < p->out_c; c0 += group) {
        const int32_t n = p->out_c - c0 < group ? p->out_c - c0 : group;
        decode_pairs(r, w, c0, n);
        for (int32_t b = 0; b < p->batches; b += 2) {
            const int8_t *a = in[0] + b * k;
            int8_t *oa = out + b * p->out_c;
            group_rows(a, b + 1 < p->batches ? a + k : NULL, oa, oa + p->out_c, w, p->bias, k, c0, n, &p->rq);
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
    int8_t *w, *rest;
    huff_reader *r = reader_at(scratch, &w);
    reader_init(r, &dp->w, taps);
    huff_pos s = r->pos;
    const huff_shape sh = r->shape;
    if (p.depth_mult == 1) {
        int16_t *q = (int16_t *)(void *)w;
        const int32_t n = ((p.out_c + 3) >> 2) * 4 * taps;
        memset(q, 0, (size_t)n * 2);
        for (; s.c < p.out_c; next_entry(&s, r, &sh)) {
            q[((s.c >> 2) * taps + s.j) * 4 + lane[s.c & 3]] = (int16_t)s.v;
        }
        p.wquads = (const int32_t *)(void *)q;
        rest = w + n * 2;
    } else {
        memset(w, 0, (size_t)(taps * p.out_c));
        for (; s.c < p.out_c; next_entry(&s, r, &sh)) {
            w[s.j * p.out_c + s.c] = (int8_t)s.v;
        }
        p.weights = w;
        rest = w + taps * p.out_c;
    }
    tc_depthwise_conv2d_s8(&p, in, out, rest);
}
