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
 * A zero run longer than a format can say is split by filler entries of value 0.
 *
 * The input zero point is folded into the bias as for the dense kernels, so these sum raw
 * x * w and requantize with tc_mac.h's tc_output_s8: the results are the dense kernel's.
 */
#ifndef TC_CWEIGHTS_H
#define TC_CWEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "tc_mac.h"

typedef struct {
    const uint8_t *stream;      /* indices (lut) or entries (sparse formats) */
    const uint16_t *counts;     /* sparse formats: entries per channel */
    const int8_t *codebook;     /* lut formats */
    int32_t cb_stride;          /* codebook entries per channel; 0: one codebook for all */
    int32_t bits;               /* lut formats: index bits, 1..7 */
    int32_t row_bytes;          /* lut: stream bytes per channel */
} tc_cweights;

enum { TC_CW_LUT = 1, TC_CW_SPARSE = 2, TC_CW_LUT_SPARSE = 3 };

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
    for (int32_t c = 0; c < out_c; c++, cb += w->cb_stride) {
        int32_t sa = bias[c], sb = bias[c];
        s = tc_cw_channel(fmt, rows, w, c, s, cb, a, b, k, &sa, &sb);
        oa[c] = tc_output_s8(sa, &rq, c);
        if (rows == 2) {
            ob[c] = tc_output_s8(sb, &rq, c);
        }
    }
}

#endif /* TC_CWEIGHTS_H */
