/* tinycompress native runtime: compressed weight matrices decoded inside the kernels.
 *
 * A [out_c, k] int8 weight matrix (CONV_2D: each output channel's HWC taps; FULLY_CONNECTED:
 * each output's row) stored in one of the formats of tinycompress/firmware/native/weights.py.
 * No decoded copy is ever made: each weight is decoded in registers next to its
 * multiply-accumulate, and the sparse formats visit only the nonzero weights.
 *
 *   lut         channel c's k indices of `bits` bits, a little-endian bit stream of
 *               row_bytes bytes, into codebook + c * cb_stride (cb_stride 0: one codebook).
 *   sparse      per nonzero two bytes: the zeros skipped before it, its int8 value;
 *               counts[c] entries for channel c, channels one after another.
 *   lut_sparse  per nonzero one byte: zeros skipped (high 8 - bits bits), codebook index
 *               (low bits).
 *   packed      lut_sparse's entries in one little-endian bit stream over the whole matrix,
 *               bits + run_bits each: the zeros since the previous entry (across channel
 *               ends: no counts) above the codebook index; a last sentinel entry lands past
 *               the end.
 * A zero run longer than a format can say is split by filler entries of value 0.
 *
 * The input zero point is folded into the bias as for the dense kernels, so these sum raw
 * x * w and requantize with tc_mac.h's tc_output_s8: the results are the dense kernel's.
 */
#ifndef TC_CWEIGHTS_H
#define TC_CWEIGHTS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tc_mac.h"

typedef struct {
    const uint8_t *stream;      /* indices (lut) or entries (sparse formats) */
    const uint16_t *counts;     /* sparse formats: entries per channel */
    const int8_t *codebook;     /* lut formats */
    int32_t cb_stride;          /* codebook entries per channel; 0: one codebook for all */
    int32_t bits;               /* lut formats: index bits, 1..7 */
    int32_t row_bytes;          /* lut: stream bytes per channel */
    int32_t run_bits;           /* packed: zero-run bits per entry */
} tc_cweights;

enum { TC_CW_LUT = 1, TC_CW_SPARSE = 2, TC_CW_LUT_SPARSE = 3, TC_CW_PACKED = 4 };

/* 32 bits of the stream from bit pos on (memcpy: one unaligned load where the core has it). */
TC_INLINE uint32_t tc_cw_bits_at(const uint8_t *s, uint32_t pos) {
    uint32_t v;
    memcpy(&v, s + (pos >> 3), sizeof v);
    return v >> (pos & 7u);
}

/* packed: where the decoder stands in the stream: the bit of the next entry, and the pending
 * entry (its weight's position in the current channel's row, its codebook index). */
typedef struct {
    uint32_t pos, j, idx;
} tc_cw_cursor;

TC_INLINE tc_cw_cursor tc_cw_packed_start(const tc_cweights *w) {
    const uint32_t bits = (uint32_t)w->bits, width = bits + (uint32_t)w->run_bits;
    const uint32_t f = tc_cw_bits_at((const uint8_t *)w->stream, 0) & ((1u << width) - 1u);
    tc_cw_cursor cur = {width, f >> bits, f & ((1u << bits) - 1u)};
    return cur;
}

/* One channel (k taps) of a packed stream: entries until one lands past the row's end, which
 * is then the next channel's, at j - k. bits and run_bits are literals at the (4, 3) and
 * (4, 4) call sites (16 clusters at 75 % zeros), so the field extraction is one instruction
 * each, and (4, 4) reads one byte per entry. */
TC_INLINE void tc_cw_packed_bits(int32_t rows, uint32_t bits, uint32_t run_bits, const tc_cweights *w,
                                 tc_cw_cursor *cur, const int8_t *cb, const int8_t *a, const int8_t *b,
                                 int32_t k, int32_t *acc_a, int32_t *acc_b) {
    const uint8_t *s = (const uint8_t *)w->stream;
    const uint32_t width = bits + run_bits, imask = (1u << bits) - 1u, rmask = (1u << run_bits) - 1u;
    const ptrdiff_t to_b = rows == 2 ? b - a : 0;   /* b's weight byte is a's + to_b */
    const int8_t *pa = a + cur->j, *const end = a + k;
    uint32_t pos = cur->pos, idx = cur->idx;
    int32_t sa = *acc_a, sb = *acc_b;
    while (pa < end) {
        const int32_t v = cb[idx];
        sa += *pa * v;
        if (rows == 2) {
            sb += pa[to_b] * v;
        }
        const uint32_t f = width == 8 ? s[pos >> 3] : tc_cw_bits_at(s, pos);   /* 8: a byte each */
        pos += width;
        pa += 1u + ((f >> bits) & rmask);
        idx = f & imask;
    }
    cur->pos = pos;
    cur->j = (uint32_t)(pa - end);
    cur->idx = idx;
    *acc_a = sa;
    *acc_b = sb;
}

TC_INLINE void tc_cw_packed(int32_t rows, const tc_cweights *w, tc_cw_cursor *cur, const int8_t *cb,
                            const int8_t *a, const int8_t *b, int32_t k, int32_t *acc_a, int32_t *acc_b) {
    if (w->bits == 4 && w->run_bits == 3) {
        tc_cw_packed_bits(rows, 4, 3, w, cur, cb, a, b, k, acc_a, acc_b);
    } else if (w->bits == 4 && w->run_bits == 4) {
        tc_cw_packed_bits(rows, 4, 4, w, cur, cb, a, b, k, acc_a, acc_b);
    } else {
        tc_cw_packed_bits(rows, (uint32_t)w->bits, (uint32_t)w->run_bits, w, cur, cb, a, b, k, acc_a, acc_b);
    }
}

/* The nonzero entries of one channel: sa += a.w, sb += b.w (rows == 2). Entries name the
 * zeros skipped before each weight, so the row pointer moves by that run and then one:
 * a post-incremented load, and b read at the same distance from a. fmt, rows and bits
 * are constants here (TC_INLINE callers pass literals), so the decode is 2-3 instructions. */
TC_INLINE const uint8_t *tc_cw_entries(int32_t fmt, int32_t rows, uint32_t bits, const uint8_t *s, int32_t n,
                                       const int8_t *cb, const int8_t *a, const int8_t *b, int32_t *acc_a,
                                       int32_t *acc_b) {
    const uint32_t mask = (1u << bits) - 1u;
    const ptrdiff_t to_b = rows == 2 ? b - a - 1 : 0;   /* b's pointer is a's + to_b after a++ */
    int32_t sa = *acc_a, sb = *acc_b;
    for (; n > 0; n--) {
        int32_t v;
        if (fmt == TC_CW_SPARSE) {   /* little-endian uint16: run | value << 8 */
            const uint32_t e = (uint32_t)s[0] | (uint32_t)s[1] << 8;
            s += 2;
            a += e & 0xFFu;
            v = (int8_t)(e >> 8);
        } else {
            const uint32_t e = *s++;
            a += e >> bits;
            v = cb[e & mask];
        }
        sa += *a++ * v;
        if (rows == 2) {
            sb += a[to_b] * v;
        }
    }
    *acc_a = sa;
    *acc_b = sb;
    return s;
}

/* Channel c of w (stream at s, codebook cb) against rows a and b (k taps each; rows == 1:
 * a alone): *sa += a.w_c, *sb += b.w_c. Returns where channel c + 1's stream starts. */
TC_INLINE const uint8_t *tc_cw_channel(int32_t fmt, int32_t rows, const tc_cweights *w, int32_t c,
                                       const uint8_t *s, const int8_t *cb, const int8_t *a, const int8_t *b,
                                       int32_t k, int32_t *acc_a, int32_t *acc_b) {
    const uint32_t bits = (uint32_t)w->bits;
    if (fmt == TC_CW_LUT) {
        const uint32_t mask = (1u << bits) - 1u;
        int32_t sa = *acc_a, sb = *acc_b;
        uint32_t pos = 0;
        for (int32_t j = 0; j < k; j++, pos += bits) {
            const uint8_t *p = s + (pos >> 3);
            const int32_t v = cb[(((uint32_t)p[0] | (uint32_t)p[1] << 8) >> (pos & 7u)) & mask];
            sa += a[j] * v;
            if (rows == 2) {
                sb += b[j] * v;
            }
        }
        *acc_a = sa;
        *acc_b = sb;
        return s + w->row_bytes;
    }
    if (fmt == TC_CW_LUT_SPARSE && bits == 4) {   /* 16 clusters: constant shifts */
        return tc_cw_entries(fmt, rows, 4, s, w->counts[c], cb, a, b, acc_a, acc_b);
    }
    return tc_cw_entries(fmt, rows, bits, s, w->counts[c], cb, a, b, acc_a, acc_b);
}

/* Rows a and b (k taps each; rows == 1: a alone) against every channel of w:
 * oa[c] = requantized (bias[c] + a.w_c), ob[c] likewise. fmt and rows are constants at
 * every call site (the kernels are always_inline wrappers), so the branches fold away. */
TC_INLINE void tc_cw_rows(int32_t fmt, int32_t rows, const int8_t *a, const int8_t *b, int8_t *oa,
                          int8_t *ob, const tc_cweights *w, const int32_t *bias, int32_t k,
                          int32_t out_c, const tc_requant *q) {
    const tc_requant rq = *q;
    const uint8_t *s = (const uint8_t *)w->stream;
    const int8_t *cb = w->codebook;
    tc_cw_cursor cur = {0, 0, 0};
    if (fmt == TC_CW_PACKED) {
        cur = tc_cw_packed_start(w);
    }
    for (int32_t c = 0; c < out_c; c++, cb += w->cb_stride) {
        int32_t sa = bias[c], sb = bias[c];
        if (fmt == TC_CW_PACKED) {
            tc_cw_packed(rows, w, &cur, cb, a, b, k, &sa, &sb);
        } else {
            s = tc_cw_channel(fmt, rows, w, c, s, cb, a, b, k, &sa, &sb);
        }
        oa[c] = tc_output_s8(sa, &rq, c);
        if (rows == 2) {
            ob[c] = tc_output_s8(sb, &rq, c);
        }
    }
}

#endif /* TC_CWEIGHTS_H */
