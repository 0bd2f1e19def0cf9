/* int8 pooling as TFLM's reference integer kernels compute it: the window is clipped to the
 * input (padding is not counted), the average rounds half away from zero.
 *
 * Layout of the work: for each output pixel the clipped window is found once, then the
 * channels are walked innermost in blocks of 4, each block's 4 results kept in registers
 * while the window is scanned (NHWC: a block is 4 adjacent bytes, one word load).
 *  - Cortex-M DSP path: SSUB8 + SEL give 4 signed int8 maxima per pair of instructions;
 *    SXTAB16 (bytes 0,2) and SXTAB16 ROR #8 (bytes 1,3) add 4 int8 values into two int16
 *    pairs, exact while the window holds at most 256 values (|sum| <= 128 * 256 = 2^15).
 *  - Portable path (Cortex-M0/M3, host, and larger average windows): 4 scalar accumulators.
 * Max pooling starts from act_min instead of -128: max(act_min, max(window)) clamped
 * above by act_max is TFLM's clamp(max(window), act_min, act_max). */
#include "tc_pool.h"

#include <string.h>

#include "tc_runtime.h"

#if defined(__ARM_FEATURE_DSP)
#define TC_POOL_DSP 1
#endif

#define TC_POOL_SIMD_AVG_MAX_COUNT 256   /* int16 lanes hold 256 * -128 exactly */

static int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

/* The clipped window of one output pixel: its first byte and its extent. */
typedef struct {
    const int8_t *start;
    int32_t rows, cols, row_step, col_step;
} window;

#if defined(TC_POOL_DSP)
TC_INLINE uint32_t load4(const int8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);   /* one LDR: activations need not be word aligned */
    return v;
}

TC_INLINE void store4(int8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Lane-wise signed max / min of 4 int8: SSUB8 sets GE per lane where a >= b, SEL picks. */
TC_INLINE uint32_t max4(uint32_t a, uint32_t b) {
    uint32_t r, diff;
    __asm__("ssub8 %1, %2, %3\n\tsel %0, %2, %3" : "=r"(r), "=&r"(diff) : "r"(a), "r"(b) : "cc");
    return r;
}

TC_INLINE uint32_t min4(uint32_t a, uint32_t b) {
    uint32_t r, diff;
    __asm__("ssub8 %1, %2, %3\n\tsel %0, %3, %2" : "=r"(r), "=&r"(diff) : "r"(a), "r"(b) : "cc");
    return r;
}

TC_INLINE uint32_t sxtab16(uint32_t acc, uint32_t x) {
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(acc), "r"(x));
    return r;
}

TC_INLINE uint32_t sxtab16_ror8(uint32_t acc, uint32_t x) {
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(x));
    return r;
}

TC_INLINE uint32_t splat4(int32_t v) { return (uint32_t)(uint8_t)v * 0x01010101u; }

/* Lane-wise max of acc and the window's 4-byte columns starting at base; rows unrolled by 2. */
TC_INLINE uint32_t window_max4(const window *w, const int8_t *base, uint32_t acc) {
    int32_t fy, fx;
    for (fy = 0; fy < w->rows; fy++, base += w->row_step) {
        const int8_t *q = base;
        for (fx = w->cols; fx >= 2; fx -= 2, q += 2 * w->col_step) {
            acc = max4(acc, load4(q));
            acc = max4(acc, load4(q + w->col_step));
        }
        if (fx) {
            acc = max4(acc, load4(q));
        }
    }
    return acc;
}

/* Sums of the window's 4-byte columns at base in int16 lanes: *even gets bytes 0 and 2,
 * *odd bytes 1 and 3. */
TC_INLINE void window_sum4(const window *w, const int8_t *base, uint32_t *even, uint32_t *odd) {
    uint32_t e = 0, o = 0;
    int32_t fy, fx;
    for (fy = 0; fy < w->rows; fy++, base += w->row_step) {
        const int8_t *q = base;
        for (fx = w->cols; fx >= 2; fx -= 2, q += 2 * w->col_step) {
            const uint32_t x0 = load4(q), x1 = load4(q + w->col_step);
            e = sxtab16(e, x0);
            o = sxtab16_ror8(o, x0);
            e = sxtab16(e, x1);
            o = sxtab16_ror8(o, x1);
        }
        if (fx) {
            const uint32_t x = load4(q);
            e = sxtab16(e, x);
            o = sxtab16_ror8(o, x);
        }
    }
    *even = e;
    *odd = o;
}
#endif

/* TFLM's rounding: half away from zero; count > 0. */
TC_INLINE int32_t rounded_average(int32_t sum, int32_t count) {
    return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

static void max_window(const tc_pool_params *p, const window *w, int8_t *out) {
    const int32_t channels = p->channels;
    int32_t c = 0, fy, fx;
#if defined(TC_POOL_DSP)
    const uint32_t lo = splat4(p->act_min), hi = splat4(p->act_max);
    if (w->rows == 2 && w->cols == 2) {     /* the usual 2x2 pooling, unclipped */
        const int32_t down = w->row_step, right = w->col_step, diag = down + right;
        for (; c + 4 <= channels; c += 4) {
            const int8_t *q = w->start + c;
            uint32_t acc = max4(max4(lo, load4(q)), load4(q + right));
            acc = max4(max4(acc, load4(q + down)), load4(q + diag));
            store4(out + c, min4(acc, hi));
        }
    }
    for (; c + 4 <= channels; c += 4) {
        store4(out + c, min4(window_max4(w, w->start + c, lo), hi));
    }
#else
    for (; c + 4 <= channels; c += 4) {
        const int8_t *row = w->start + c;
        int32_t m0 = p->act_min, m1 = m0, m2 = m0, m3 = m0;
        for (fy = 0; fy < w->rows; fy++, row += w->row_step) {
            const int8_t *q = row;
            for (fx = 0; fx < w->cols; fx++, q += w->col_step) {
                m0 = max_i32(m0, q[0]);
                m1 = max_i32(m1, q[1]);
                m2 = max_i32(m2, q[2]);
                m3 = max_i32(m3, q[3]);
            }
        }
        out[c] = (int8_t)min_i32(m0, p->act_max);
        out[c + 1] = (int8_t)min_i32(m1, p->act_max);
        out[c + 2] = (int8_t)min_i32(m2, p->act_max);
        out[c + 3] = (int8_t)min_i32(m3, p->act_max);
    }
#endif
    for (; c < channels; c++) {
        const int8_t *row = w->start + c;
        int32_t m = p->act_min;
        for (fy = 0; fy < w->rows; fy++, row += w->row_step) {
            const int8_t *q = row;
            for (fx = 0; fx < w->cols; fx++, q += w->col_step) {
                m = max_i32(m, *q);
            }
        }
        out[c] = (int8_t)min_i32(m, p->act_max);
    }
}

static void avg_window(const tc_pool_params *p, const window *w, int8_t *out) {
    const int32_t channels = p->channels, count = w->rows * w->cols;
    int32_t c = 0, fy, fx;
    if (count == 0) {                    /* unreachable for valid models; TFLM fails Eval */
        for (c = 0; c < channels; c++) {
            out[c] = (int8_t)tc_clamp(0, p->act_min, p->act_max);
        }
        return;
    }
#if defined(TC_POOL_DSP)
    if (count <= TC_POOL_SIMD_AVG_MAX_COUNT) {
        for (; c + 4 <= channels; c += 4) {
            uint32_t even, odd;       /* int16 lanes: channels c, c+2 and c+1, c+3 */
            int32_t sums[4], k;
            window_sum4(w, w->start + c, &even, &odd);
            sums[0] = (int16_t)even;
            sums[1] = (int16_t)odd;
            sums[2] = (int16_t)(even >> 16);
            sums[3] = (int16_t)(odd >> 16);
            for (k = 0; k < 4; k++) {
                out[c + k] = (int8_t)tc_clamp(rounded_average(sums[k], count), p->act_min, p->act_max);
            }
        }
    }
#endif
    for (; c + 4 <= channels; c += 4) {
        const int8_t *row = w->start + c;
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (fy = 0; fy < w->rows; fy++, row += w->row_step) {
            const int8_t *q = row;
            for (fx = 0; fx < w->cols; fx++, q += w->col_step) {
                s0 += q[0];
                s1 += q[1];
                s2 += q[2];
                s3 += q[3];
            }
        }
        out[c] = (int8_t)tc_clamp(rounded_average(s0, count), p->act_min, p->act_max);
        out[c + 1] = (int8_t)tc_clamp(rounded_average(s1, count), p->act_min, p->act_max);
        out[c + 2] = (int8_t)tc_clamp(rounded_average(s2, count), p->act_min, p->act_max);
        out[c + 3] = (int8_t)tc_clamp(rounded_average(s3, count), p->act_min, p->act_max);
    }
    for (; c < channels; c++) {
        const int8_t *row = w->start + c;
        int32_t s = 0;
        for (fy = 0; fy < w->rows; fy++, row += w->row_step) {
            const int8_t *q = row;
            for (fx = 0; fx < w->cols; fx++, q += w->col_step) {
                s += *q;
            }
        }
        out[c] = (int8_t)tc_clamp(rounded_average(s, count), p->act_min, p->act_max);
    }
}

typedef void (*window_fn)(const tc_pool_params *p, const window *w, int8_t *out);

/* Walk the output pixels; each one's window is clipped to the input once. */
TC_INLINE void pool(const tc_pool_params *p, const int8_t *input, int8_t *out, window_fn fn) {
    const int32_t channels = p->channels;
    int32_t b, oy, ox;
    window w;
    w.col_step = channels;
    w.row_step = p->in_w * channels;
    for (b = 0; b < p->batches; b++) {
        const int8_t *in_b = input + (int32_t)b * p->in_h * w.row_step;
        for (oy = 0; oy < p->out_h; oy++) {
            const int32_t y0 = oy * p->stride_h - p->pad_h;
            const int32_t fy0 = max_i32(0, -y0), fy1 = min_i32(p->filter_h, p->in_h - y0);
            w.rows = max_i32(0, fy1 - fy0);
            for (ox = 0; ox < p->out_w; ox++, out += channels) {
                const int32_t x0 = ox * p->stride_w - p->pad_w;
                const int32_t fx0 = max_i32(0, -x0), fx1 = min_i32(p->filter_w, p->in_w - x0);
                w.cols = max_i32(0, fx1 - fx0);
                w.start = in_b + (y0 + fy0) * w.row_step + (x0 + fx0) * channels;
                fn(p, &w, out);
            }
        }
    }
}

void tc_avgpool_s8(const tc_pool_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    pool(p, in[0], out, avg_window);
}

void tc_maxpool_s8(const tc_pool_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    pool(p, in[0], out, max_window);
}
