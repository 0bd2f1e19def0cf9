/* int8 MEAN as TFLM's reference computes it: an int32 sum per output, minus count times the
 * input zero point, one requantization with 1/count folded into the multiplier.
 *
 * The reduced axes become at most 4 (count, stride) loops, neighbours that are contiguous
 * in memory merged into one (a global average over H and W is one loop of H * W pixels
 * with the channel count as stride); the innermost loop adds 4 values per pass with
 * pointer steps only, no index arithmetic per element. */
#include "tc_mean.h"

#include "tc_runtime.h"

/* n int8 values from p, `stride` apart */
static int32_t sum_strided(const int8_t *p, int32_t n, int32_t stride) {
    int32_t sum = 0;
    const int32_t step = 4 * stride;
    for (; n >= 4; n -= 4, p += step) {
        sum += p[0] + p[stride] + p[2 * stride] + p[3 * stride];
    }
    for (; n > 0; n--, p += stride) {
        sum += *p;
    }
    return sum;
}

void tc_mean_s8(const tc_mean_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *x = in[0];
    int32_t o[4], s[4], rn[4] = {1, 1, 1, 1}, rs[4] = {0, 0, 0, 0};
    int32_t r0, r1, r2, r3, k, nr = 0;
    (void)scratch;
    s[3] = 1;
    for (k = 2; k >= 0; k--) {
        s[k] = s[k + 1] * p->in_dims[k + 1];
    }
    for (k = 0; k < 4; k++) {
        o[k] = p->reduce[k] ? 1 : p->in_dims[k];   /* output extent per axis */
        if (!p->reduce[k] || p->in_dims[k] == 1) {
            continue;
        }
        if (nr > 0 && rs[nr - 1] == p->in_dims[k] * s[k]) {   /* contiguous with the outer one */
            rn[nr - 1] *= p->in_dims[k];
            rs[nr - 1] = s[k];
        } else {
            rn[nr] = p->in_dims[k];
            rs[nr] = s[k];
            nr++;
        }
    }
    for (k = 3; k >= 4 - nr; k--) {   /* the reduced loops last: loops 0..3, innermost 3 */
        rn[k] = rn[k - (4 - nr)];
        rs[k] = rs[k - (4 - nr)];
    }
    for (k = 0; k < 4 - nr; k++) {
        rn[k] = 1;
        rs[k] = 0;
    }
    const int32_t offset = -p->input_zero_point * p->count;
    for (r0 = 0; r0 < o[0]; r0++)
    for (r1 = 0; r1 < o[1]; r1++)
    for (r2 = 0; r2 < o[2]; r2++)
    for (r3 = 0; r3 < o[3]; r3++) {
        const int8_t *base = x + r0 * s[0] + r1 * s[1] + r2 * s[2] + r3 * s[3];
        int32_t sum = 0, a, b, c;
        for (a = 0; a < rn[0]; a++)
        for (b = 0; b < rn[1]; b++)
        for (c = 0; c < rn[2]; c++) {
            sum += sum_strided(base + a * rs[0] + b * rs[1] + c * rs[2], rn[3], rs[3]);
        }
        const int32_t v = tc_requantize(sum + offset, p->multiplier, p->shift) + p->output_zero_point;
        *out++ = (int8_t)tc_clamp(v, -128, 127);
    }
}
