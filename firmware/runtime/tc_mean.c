/* int8 MEAN as TFLM's reference computes it: an int32 sum per output, minus count times the
 * input zero point, one requantization with 1/count folded into the multiplier. */
#include "tc_mean.h"

#include "tc_runtime.h"

void tc_mean_s8(const tc_mean_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *x = in[0];
    int32_t o[4], r[4], n[4], s[4];
    int k;
    (void)scratch;
    for (k = 0; k < 4; k++) {
        o[k] = p->reduce[k] ? 1 : p->in_dims[k];   /* output extent per axis */
        n[k] = p->reduce[k] ? p->in_dims[k] : 1;   /* reduced extent per axis */
    }
    s[3] = 1;
    for (k = 2; k >= 0; k--) {
        s[k] = s[k + 1] * p->in_dims[k + 1];
    }
    for (r[0] = 0; r[0] < o[0]; r[0]++)
    for (r[1] = 0; r[1] < o[1]; r[1]++)
    for (r[2] = 0; r[2] < o[2]; r[2]++)
    for (r[3] = 0; r[3] < o[3]; r[3]++) {
        const int8_t *base = x + r[0] * s[0] + r[1] * s[1] + r[2] * s[2] + r[3] * s[3];
        int32_t a, b, c, d, sum = 0, v;
        for (a = 0; a < n[0]; a++)
        for (b = 0; b < n[1]; b++)
        for (c = 0; c < n[2]; c++)
        for (d = 0; d < n[3]; d++) {
            sum += base[a * s[0] + b * s[1] + c * s[2] + d * s[3]];
        }
        v = tc_requantize(sum - p->input_zero_point * p->count, p->multiplier, p->shift)
            + p->output_zero_point;
        *out++ = (int8_t)tc_clamp(v, -128, 127);
    }
}
