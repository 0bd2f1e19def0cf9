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

/* Rows a and b (k taps each; rows == 1: a alone) against every channel of w:
 * oa[c] = requantized (bias[c] + a.w_c), ob[c] likewise. fmt and rows are constants at
 * every call site (the kernels are always_inline wrappers), so the branches fold away. */
TC_INLINE void tc_cw_rows(int32_t fmt, int32_t rows, const int8_t *a, const int8_t *b, int8_t *oa,
                          int8_t *ob, const tc_cweights *w, const int32_t *bias, int32_t k,
                          int32_t out_c, const tc_requant *q) {
    const tc_requant rq = *q;
    const uint32_t bits = (uint32_t)w->bits;
    const uint32_t mask = (1u << bits) - 1u;
    const uint8_t *s = w->stream;
    const int8_t *cb = w->codebook;
    for (int32_t c = 0; c < out_c; c++) {
        int32_t sa = bias[c], sb = bias[c];
        if (fmt == TC_CW_LUT) {
            uint32_t pos = 0;
            for (int32_t j = 0; j < k; j++, pos += bits) {
                const uint8_t *p = s + (pos >> 3);
                const int32_t v = cb[(((uint32_t)p[0] | (uint32_t)p[1] << 8) >> (pos & 7u)) & mask];
                sa += a[j] * v;
                if (rows == 2) {
                    sb += b[j] * v;
                }
            }
            s += w->row_bytes;
        } else {
            int32_t pos = -1;
            for (int32_t n = w->counts[c]; n > 0; n--) {
                int32_t v;
                if (fmt == TC_CW_SPARSE) {
                    pos += (int32_t)s[0] + 1;
                    v = (int8_t)s[1];
                    s += 2;
                } else {
                    const uint32_t e = *s++;
                    pos += (int32_t)(e >> bits) + 1;
                    v = cb[e & mask];
                }
                sa += a[pos] * v;
                if (rows == 2) {
                    sb += b[pos] * v;
                }
            }
        }
        cb += w->cb_stride;
        oa[c] = tc_output_s8(sa, &rq, c);
        if (rows == 2) {
            ob[c] = tc_output_s8(sb, &rq, c);
        }
    }
}

#endif /* TC_CWEIGHTS_H */
