/* tinycompress native runtime: int8 dot-product cores shared by CONV_2D and FULLY_CONNECTED,
 * and the per-channel output requantization they share with DEPTHWISE_CONV_2D.
 *
 * Weights are packed at generation time (tinycompress/firmware/native/ops/packing.py) in
 * channel pairs: for each pair (c, c+1) and each group of 4 taps, one 32-bit word of
 * channel c's 4 int8 weights followed by one word of channel c+1's, little-endian, the
 * last word zero-padded. One 64-bit load then feeds both channels.
 *
 * The input zero point is folded into the bias at generation time, so the cores only
 * accumulate raw x * w. The DSP path sign-extends 4 int8 values into two int16 pairs with
 * SXTB16 (bytes 0,2) and SXTB16 ROR #8 (bytes 1,3) on both operands, so the pairs line up
 * without reordering, and SMLAD does two multiply-accumulates per instruction. The
 * portable path (Cortex-M0/M3, host) gives the same sums: integer sums are exact.
 */
#ifndef TC_MAC_H
#define TC_MAC_H

#include <stdint.h>
#include <string.h>

#include "tc_runtime.h"

#if defined(__ARM_FEATURE_DSP)
#define TC_MAC_DSP 1

TC_INLINE int32_t tc_sxtb16(int32_t x) {
    int32_t r;
    __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x));
    return r;
}

TC_INLINE int32_t tc_sxtb16_ror8(int32_t x) {
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

TC_INLINE int32_t tc_smlad(int32_t a, int32_t b, int32_t acc) {
    int32_t r;
    __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}

TC_INLINE int32_t tc_smlabb(int32_t a, int32_t b, int32_t acc) {
    int32_t r;
    __asm__("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}

TC_INLINE int32_t tc_smlatt(int32_t a, int32_t b, int32_t acc) {
    int32_t r;
    __asm__("smlatt %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
#endif

/* 4 bytes from any address (activations are not word aligned); one LDR on Cortex-M4. */
TC_INLINE int32_t tc_load32(const int8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* tc_requantize (tc_runtime.h), bit for bit, in fewer instructions: TFLite's rounding
 * doubling high multiply with a multiplier in [0, 2^31) equals floor((x * m + 2^30) / 2^31)
 * for every x (no saturation case, no sign-dependent nudge), one 64-bit multiply-add and a
 * shift; the rounding right shift keeps TFLite's remainder/threshold form so nothing can
 * overflow. tests/test_native_requantize.py checks the two agree. */
TC_INLINE int32_t tc_requantize_fast(int32_t x, int32_t multiplier, int32_t shift) {
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = left - shift;
    const int64_t product = (int64_t)(int32_t)((uint32_t)x << left) * multiplier + (1LL << 30);
    const int32_t high = (int32_t)(product >> 31);
    const int32_t mask = (int32_t)((1u << right) - 1u);
    const int32_t threshold = (mask >> 1) + (int32_t)((uint32_t)high >> 31);
    return (high >> right) + ((high & mask) > threshold);
}

/* The same again when the channel shifts right by r >= 1 bits (the usual case, decided
 * per layer at generation time): TFLite's two roundings nest into one floor division,
 * floor((x*m + 2^30 + 2^(30+r) - [x<0] 2^31) / 2^(31+r)), so with `rounding` =
 * 2^30 + 2^(30+r) precomputed it is one SMLAL, a conditional 64-bit subtract and one
 * arithmetic shift of the high word by r - 1 (= ~shift). */
TC_INLINE int32_t tc_requantize_rounded(int32_t x, int32_t multiplier, int64_t rounding, int32_t shift) {
    int64_t p = rounding + (int64_t)x * multiplier;
    if (x < 0) {
        p -= (int64_t)1 << 31;
    }
    return (int32_t)(p >> 32) >> ~shift;
}

/* Per-channel requantization of int32 accumulators to int8, embedded as `rq` in the
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED parameter structs. */
typedef struct {
    int32_t output_zp;
    int32_t act_min, act_max;    /* fused activation range, output zero point included */
    const int32_t *multiplier;   /* per channel (padded to even for the channel-pair kernels) */
    const int32_t *shift;        /* per channel; > 0 is a left shift */
    const int64_t *rounding;     /* NULL, or 2^30 + 2^(30+r) per channel when every channel
                                    shifts right by r >= 1 (tc_requantize_rounded) */
} tc_requant;

/* Requantize channel c's accumulator to int8: scale, add the output zero point, clamp to
 * the fused activation's range (TFLM's order of operations). Callers pass a local copy of
 * the struct so its fields stay in registers across the int8 stores (which may alias). */
TC_INLINE int8_t tc_output_s8(int32_t acc, const tc_requant *q, int32_t c) {
    const int32_t v = q->rounding ? tc_requantize_rounded(acc, q->multiplier[c], q->rounding[c], q->shift[c])
                                  : tc_requantize_fast(acc, q->multiplier[c], q->shift[c]);
    return (int8_t)tc_clamp(v + q->output_zp, q->act_min, q->act_max);
}

/* Tail (k % 4 taps) of the packed word pair at w: the padding bytes are never read. */
TC_INLINE void tc_mac_tail(const int8_t *a, const int32_t *w, int32_t n, int32_t *s0, int32_t *s1) {
    const int8_t *w0 = (const int8_t *)&w[0];
    const int8_t *w1 = (const int8_t *)&w[1];
    for (int32_t j = 0; j < n; j++) {
        *s0 += a[j] * w0[j];
        *s1 += a[j] * w1[j];
    }
}

/* acc[0] += a.w_c, acc[1] += a.w_c+1, acc[2] += b.w_c, acc[3] += b.w_c+1 over k taps. */
TC_INLINE void tc_mac_2x2(const int8_t *a, const int8_t *b, const int32_t *w, int32_t k, int32_t *acc) {
    int32_t s00 = acc[0], s01 = acc[1], s10 = acc[2], s11 = acc[3];
    const int32_t *end = w + 2 * (k >> 2);
#if defined(TC_MAC_DSP)
    (void)end;
/* one group of 4 taps of both rows against the channel pair's two words */
#define TC_MAC_2X2_STEP()                                              \
    do {                                                               \
        int32_t xa = tc_load32(a), xb = tc_load32(b);                  \
        int32_t xa02 = tc_sxtb16(xa), xa13 = tc_sxtb16_ror8(xa);       \
        int32_t xb02 = tc_sxtb16(xb), xb13 = tc_sxtb16_ror8(xb);       \
        int32_t w0 = w[0], w1 = w[1];                                  \
        int32_t w02 = tc_sxtb16(w0), w13 = tc_sxtb16_ror8(w0);         \
        s00 = tc_smlad(xa02, w02, s00);                                \
        s00 = tc_smlad(xa13, w13, s00);                                \
        s10 = tc_smlad(xb02, w02, s10);                                \
        s10 = tc_smlad(xb13, w13, s10);                                \
        w02 = tc_sxtb16(w1);                                           \
        w13 = tc_sxtb16_ror8(w1);                                      \
        s01 = tc_smlad(xa02, w02, s01);                                \
        s01 = tc_smlad(xa13, w13, s01);                                \
        s11 = tc_smlad(xb02, w02, s11);                                \
        s11 = tc_smlad(xb13, w13, s11);                                \
        a += 4;                                                        \
        b += 4;                                                        \
        w += 2;                                                        \
        __asm__ volatile("" ::: "memory"); /* no hoisting: it spills */ \
    } while (0)
    for (int32_t n = k >> 3; n > 0; n--) {    /* 8 taps per pass: half the loop overhead */
        TC_MAC_2X2_STEP();
        TC_MAC_2X2_STEP();
    }
    if (k & 4) {
        TC_MAC_2X2_STEP();
    }
#undef TC_MAC_2X2_STEP
#else
    while (w < end) {
        const int8_t *w0 = (const int8_t *)&w[0];
        const int8_t *w1 = (const int8_t *)&w[1];
        for (int j = 0; j < 4; j++) {
            s00 += a[j] * w0[j];
            s01 += a[j] * w1[j];
            s10 += b[j] * w0[j];
            s11 += b[j] * w1[j];
        }
        a += 4;
        b += 4;
        w += 2;
    }
#endif
    tc_mac_tail(a, w, k & 3, &s00, &s01);
    tc_mac_tail(b, w, k & 3, &s10, &s11);
    acc[0] = s00;
    acc[1] = s01;
    acc[2] = s10;
    acc[3] = s11;
}

/* acc[0] += a.w_c, acc[1] += a.w_c+1 over k taps (one column: FC with batch 1, odd pixel). */
TC_INLINE void tc_mac_1x2(const int8_t *a, const int32_t *w, int32_t k, int32_t *acc) {
    int32_t s0 = acc[0], s1 = acc[1];
    const int32_t *end = w + 2 * (k >> 2);
#if defined(TC_MAC_DSP)
    while (w < end) {
        int32_t x = tc_load32(a);
        int32_t x02 = tc_sxtb16(x), x13 = tc_sxtb16_ror8(x);
        int32_t w0 = w[0], w1 = w[1];
        s0 = tc_smlad(x02, tc_sxtb16(w0), s0);
        s0 = tc_smlad(x13, tc_sxtb16_ror8(w0), s0);
        s1 = tc_smlad(x02, tc_sxtb16(w1), s1);
        s1 = tc_smlad(x13, tc_sxtb16_ror8(w1), s1);
        a += 4;
        w += 2;
    }
#else
    while (w < end) {
        const int8_t *w0 = (const int8_t *)&w[0];
        const int8_t *w1 = (const int8_t *)&w[1];
        for (int j = 0; j < 4; j++) {
            s0 += a[j] * w0[j];
            s1 += a[j] * w1[j];
        }
        a += 4;
        w += 2;
    }
#endif
    tc_mac_tail(a, w, k & 3, &s0, &s1);
    acc[0] = s0;
    acc[1] = s1;
}

/* acc[0..1] += a.w_c, a.w_c+1 (pair words w), acc[2..3] += a.w_c+2, a.w_c+3 (pair words v):
 * one row against four channels, so each activation word is sign-extended once for four
 * channels (FC with batch 1 reads every weight once; this is its whole cost). */
TC_INLINE void tc_mac_1x4(const int8_t *a, const int32_t *w, const int32_t *v, int32_t k, int32_t *acc) {
#if defined(TC_MAC_DSP)
    int32_t s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
/* one group of 4 taps: x sign-extended once, then each channel's word */
#define TC_MAC_1X4_STEP()                                              \
    do {                                                               \
        int32_t x = tc_load32(a);                                      \
        int32_t x02 = tc_sxtb16(x), x13 = tc_sxtb16_ror8(x);           \
        int32_t w0 = w[0], w1 = w[1];                                  \
        s0 = tc_smlad(x02, tc_sxtb16(w0), s0);                         \
        s0 = tc_smlad(x13, tc_sxtb16_ror8(w0), s0);                    \
        s1 = tc_smlad(x02, tc_sxtb16(w1), s1);                         \
        s1 = tc_smlad(x13, tc_sxtb16_ror8(w1), s1);                    \
        w0 = v[0];                                                     \
        w1 = v[1];                                                     \
        s2 = tc_smlad(x02, tc_sxtb16(w0), s2);                         \
        s2 = tc_smlad(x13, tc_sxtb16_ror8(w0), s2);                    \
        s3 = tc_smlad(x02, tc_sxtb16(w1), s3);                         \
        s3 = tc_smlad(x13, tc_sxtb16_ror8(w1), s3);                    \
        a += 4;                                                        \
        w += 2;                                                        \
        v += 2;                                                        \
        __asm__ volatile("" ::: "memory"); /* no hoisting: it spills */ \
    } while (0)
    for (int32_t n = k >> 3; n > 0; n--) {    /* 8 taps per pass: half the loop overhead */
        TC_MAC_1X4_STEP();
        TC_MAC_1X4_STEP();
    }
    if (k & 4) {
        TC_MAC_1X4_STEP();
    }
#undef TC_MAC_1X4_STEP
    tc_mac_tail(a, w, k & 3, &s0, &s1);
    tc_mac_tail(a, v, k & 3, &s2, &s3);
    acc[0] = s0;
    acc[1] = s1;
    acc[2] = s2;
    acc[3] = s3;
#else
    tc_mac_1x2(a, w, k, acc);
    tc_mac_1x2(a, v, k, acc + 2);
#endif
}

/* Channel c's scale of an accumulator; `rounded` (a constant at every call site) picks
 * tc_requantize_rounded (rnd = the channel's rounding term) or tc_requantize_fast. */
TC_INLINE int32_t tc_scale_acc(int32_t acc, int32_t m, int32_t s, int64_t rnd, int rounded) {
    return rounded ? tc_requantize_rounded(acc, m, rnd, s) : tc_requantize_fast(acc, m, s);
}

/* v + zp clamped to [lo, hi]; full (a constant): the range is all of int8, which the
 * compiler turns into one SSAT where the core has it. */
TC_INLINE int8_t tc_clamp_s8(int32_t v, int32_t zp, int32_t lo, int32_t hi, int full) {
#if defined(__ARM_FEATURE_SAT)
    if (full) {
        int32_t r;
        __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(v + zp));
        return (int8_t)r;
    }
#endif
    return full ? (int8_t)tc_clamp(v + zp, -128, 127) : (int8_t)tc_clamp(v + zp, lo, hi);
}

/* Requantize n (2 or 4) channel accumulators acc[j] of channels c.. to o[c..], storing
 * `valid` of them; every table value is read before the first int8 store (stores may
 * alias the tables as far as C knows, which would force reloads). */
TC_INLINE void tc_store_channels(int32_t n, int32_t valid, const int32_t *acc, int8_t *o, int32_t c,
                                 const tc_requant *rq, int rounded, int full) {
    int32_t v[4];
    for (int32_t j = 0; j < n; j++) {
        v[j] = tc_scale_acc(acc[j], rq->multiplier[c + j], rq->shift[c + j],
                            rounded ? rq->rounding[c + j] : 0, rounded);
    }
    for (int32_t j = 0; j < n; j++) {
        if (j < valid) {
            o[c + j] = tc_clamp_s8(v[j], rq->output_zp, rq->act_min, rq->act_max, full);
        }
    }
}

/* tc_rows_s8 with the requantization form fixed (rounded, full: 0 or 1, constants). */
TC_INLINE void tc_rows_impl(int32_t rows, int rounded, int full, const int8_t *a, const int8_t *b, int8_t *oa,
                            int8_t *ob, const int32_t *w, const int32_t *bias, int32_t k, int32_t out_c,
                            const tc_requant *rq) {
    const int32_t words = 2 * ((k + 3) >> 2);           /* packed int32 words per channel pair */
    int32_t c = 0;
    if (rows == 1) {                                     /* four channels per pass, then pairs */
        for (; c + 3 < out_c; c += 4, w += 2 * words) {
            int32_t acc[4] = {bias[c], bias[c + 1], bias[c + 2], bias[c + 3]};
            tc_mac_1x4(a, w, w + words, k, acc);
            tc_store_channels(4, 4, acc, oa, c, rq, rounded, full);
        }
    }
    for (; c < out_c; c += 2, w += words) {
        const int32_t valid = out_c - c < 2 ? out_c - c : 2;
        int32_t acc[4] = {bias[c], bias[c + 1], bias[c], bias[c + 1]};
        if (rows == 2) {
            tc_mac_2x2(a, b, w, k, acc);
            int32_t m0 = rq->multiplier[c], m1 = rq->multiplier[c + 1];
            int32_t s0 = rq->shift[c], s1 = rq->shift[c + 1];
            int64_t r0 = rounded ? rq->rounding[c] : 0, r1 = rounded ? rq->rounding[c + 1] : 0;
            int32_t v0 = tc_scale_acc(acc[0], m0, s0, r0, rounded), v1 = tc_scale_acc(acc[1], m1, s1, r1, rounded);
            int32_t v2 = tc_scale_acc(acc[2], m0, s0, r0, rounded), v3 = tc_scale_acc(acc[3], m1, s1, r1, rounded);
            oa[c] = tc_clamp_s8(v0, rq->output_zp, rq->act_min, rq->act_max, full);
            ob[c] = tc_clamp_s8(v2, rq->output_zp, rq->act_min, rq->act_max, full);
            if (valid == 2) {
                oa[c + 1] = tc_clamp_s8(v1, rq->output_zp, rq->act_min, rq->act_max, full);
                ob[c + 1] = tc_clamp_s8(v3, rq->output_zp, rq->act_min, rq->act_max, full);
            }
        } else {
            tc_mac_1x2(a, w, k, acc);
            tc_store_channels(2, valid, acc, oa, c, rq, rounded, full);
        }
    }
}

/* Rows a and b (k taps each) against every channel pair of the packed weights w:
 * oa[c] = requantized (bias[c] + a.w_c), ob[c] likewise; rows == 1: row a alone (b, ob
 * unused). rows is a constant at every call site, so its branches fold away. The same
 * loop serves CONV_2D (two output pixels) and FULLY_CONNECTED (two batch rows). The
 * requant struct is copied to a local so its fields stay in registers across the stores. */
TC_INLINE void tc_rows_s8(int32_t rows, const int8_t *a, const int8_t *b, int8_t *oa, int8_t *ob,
                          const int32_t *w, const int32_t *bias, int32_t k, int32_t out_c,
                          const tc_requant *q) {
    const tc_requant rq = *q;
    const int full = rq.act_min == -128 && rq.act_max == 127;
    if (rq.rounding && full) {
        tc_rows_impl(rows, 1, 1, a, b, oa, ob, w, bias, k, out_c, &rq);
    } else if (rq.rounding) {
        tc_rows_impl(rows, 1, 0, a, b, oa, ob, w, bias, k, out_c, &rq);
    } else {
        tc_rows_impl(rows, 0, 0, a, b, oa, ob, w, bias, k, out_c, &rq);
    }
}

/* --- wide layout: int16 activations and weights, 2 rows x 4 channels ---------------------
 *
 * When the generator pre-extends a CONV_2D's weights to int16 (a per-model choice, made
 * where the flash budget allows), each group of 4 channels (zero-padded) and 4 taps holds
 * 8 words: channels 0..3's taps (0, 2) as int16 pairs (low half first), then their taps
 * (1, 3), as SXTB16 and SXTB16 ROR #8 split an activation word. The two rows are widened
 * once into a scratch of the same order, interleaved: per group a(0, 2), b(0, 2), a(1, 3),
 * b(1, 3). The inner loop then needs no sign extension at all: one LDRD brings both rows'
 * pairs, each weight word feeds two SMLADs, and 8 accumulators stay in registers. */

/* SMLAD where the core has it, its definition otherwise (integer sums are exact). */
TC_INLINE int32_t tc_smlad_any(int32_t a, int32_t b, int32_t acc) {
#if defined(TC_MAC_DSP)
    return tc_smlad(a, b, acc);
#else
    return acc + (int16_t)a * (int16_t)b + (a >> 16) * (b >> 16);
#endif
}

/* The int16 pair (x[i], x[i + 2]) of the 4-tap group at x, taps at or past n read 0. */
TC_INLINE int32_t tc_pair16(const int8_t *x, int32_t i, int32_t n) {
    const int32_t lo = i < n ? x[i] : 0, hi = i + 2 < n ? x[i + 2] : 0;
    return (int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFFu));
}

/* Rows a and b (k taps) into the interleaved int16 scratch d (4 words per 4 taps). */
TC_INLINE void tc_widen2(const int8_t *a, const int8_t *b, int32_t k, int32_t *d) {
    int32_t n = k >> 2;
#if defined(TC_MAC_DSP)
    for (; n > 0; n--, a += 4, b += 4, d += 4) {
        const int32_t xa = tc_load32(a), xb = tc_load32(b);
        d[0] = tc_sxtb16(xa);
        d[1] = tc_sxtb16(xb);
        d[2] = tc_sxtb16_ror8(xa);
        d[3] = tc_sxtb16_ror8(xb);
    }
#else
    for (; n > 0; n--, a += 4, b += 4, d += 4) {
        d[0] = tc_pair16(a, 0, 4);
        d[1] = tc_pair16(b, 0, 4);
        d[2] = tc_pair16(a, 1, 4);
        d[3] = tc_pair16(b, 1, 4);
    }
#endif
    if (k & 3) {
        d[0] = tc_pair16(a, 0, k & 3);
        d[1] = tc_pair16(b, 0, k & 3);
        d[2] = tc_pair16(a, 1, k & 3);
        d[3] = tc_pair16(b, 1, k & 3);
    }
}

/* sa[j] += a.w_(c+j), sb[j] += b.w_(c+j), j < 4, over `groups` 4-tap groups of the widened
 * rows x and the channel quad's words w. */
TC_INLINE void tc_mac_2x4_wide(const int32_t *x, const int32_t *w, int32_t groups, int32_t *sa, int32_t *sb) {
    int32_t a0 = sa[0], a1 = sa[1], a2 = sa[2], a3 = sa[3];
    int32_t b0 = sb[0], b1 = sb[1], b2 = sb[2], b3 = sb[3];
/* both rows' pairs (x[i], x[i + 1]) against the 4 channels' words w[j], j0 <= j < j0 + 4 */
#define TC_WIDE_HALF(i, j0)                                            \
    do {                                                               \
        const int32_t xa = x[i], xb = x[(i) + 1];                      \
        int32_t k = w[j0];                                             \
        a0 = tc_smlad_any(xa, k, a0);                                  \
        b0 = tc_smlad_any(xb, k, b0);                                  \
        k = w[(j0) + 1];                                               \
        a1 = tc_smlad_any(xa, k, a1);                                  \
        b1 = tc_smlad_any(xb, k, b1);                                  \
        k = w[(j0) + 2];                                               \
        a2 = tc_smlad_any(xa, k, a2);                                  \
        b2 = tc_smlad_any(xb, k, b2);                                  \
        k = w[(j0) + 3];                                               \
        a3 = tc_smlad_any(xa, k, a3);                                  \
        b3 = tc_smlad_any(xb, k, b3);                                  \
        __asm__ volatile("" ::: "memory"); /* 14 live registers: no   \
                                              loads hoisted across */ \
    } while (0)
    for (; groups > 0; groups--) {
        TC_WIDE_HALF(0, 0);
        TC_WIDE_HALF(2, 4);
        x += 4;
        w += 8;
    }
#undef TC_WIDE_HALF
    sa[0] = a0, sa[1] = a1, sa[2] = a2, sa[3] = a3;
    sb[0] = b0, sb[1] = b1, sb[2] = b2, sb[3] = b3;
}

/* tc_rows_s8 on the wide layout: x holds rows a and b widened (tc_widen2); rows == 1
 * stores row a only. Per-channel arrays are padded to a multiple of 4. */
TC_INLINE void tc_rows_wide_impl(int32_t rows, int rounded, int full, const int32_t *x, int8_t *oa, int8_t *ob,
                                 const int32_t *w, const int32_t *bias, int32_t k, int32_t out_c,
                                 const tc_requant *rq) {
    const int32_t groups = (k + 3) >> 2;
    for (int32_t c = 0; c < out_c; c += 4, w += 8 * groups) {
        const int32_t valid = out_c - c < 4 ? out_c - c : 4;
        int32_t sa[4] = {bias[c], bias[c + 1], bias[c + 2], bias[c + 3]};
        int32_t sb[4] = {sa[0], sa[1], sa[2], sa[3]};
        tc_mac_2x4_wide(x, w, groups, sa, sb);
#pragma GCC unroll 4
        for (int32_t j = 0; j < 4; j++) {   /* a store cannot alias a value already read */
            const int32_t m = rq->multiplier[c + j], s = rq->shift[c + j];
            const int64_t r = rounded ? rq->rounding[c + j] : 0;
            const int32_t va = tc_scale_acc(sa[j], m, s, r, rounded);
            const int32_t vb = tc_scale_acc(sb[j], m, s, r, rounded);
            if (j < valid) {
                oa[c + j] = tc_clamp_s8(va, rq->output_zp, rq->act_min, rq->act_max, full);
                if (rows == 2) {
                    ob[c + j] = tc_clamp_s8(vb, rq->output_zp, rq->act_min, rq->act_max, full);
                }
            }
        }
    }
}

TC_INLINE void tc_rows_wide(int32_t rows, const int32_t *x, int8_t *oa, int8_t *ob, const int32_t *w,
                            const int32_t *bias, int32_t k, int32_t out_c, const tc_requant *q) {
    const tc_requant rq = *q;
    const int full = rq.act_min == -128 && rq.act_max == 127;
    if (rq.rounding && full) {
        tc_rows_wide_impl(rows, 1, 1, x, oa, ob, w, bias, k, out_c, &rq);
    } else if (rq.rounding) {
        tc_rows_wide_impl(rows, 1, 0, x, oa, ob, w, bias, k, out_c, &rq);
    } else {
        tc_rows_wide_impl(rows, 0, 0, x, oa, ob, w, bias, k, out_c, &rq);
    }
}

#endif /* TC_MAC_H */
