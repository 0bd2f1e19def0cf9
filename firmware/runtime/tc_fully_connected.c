/* FULLY_CONNECTED int8: two batch rows x two output channels per dot-product core call. */
#include "tc_fully_connected.h"

#include "tc_mac.h"

void tc_fully_connected_s8(const tc_fully_connected_params *p, const int8_t *const *in, int8_t *out,
                           int8_t *scratch) {
    (void)scratch;
    const int32_t k = p->depth;
    const int32_t words = 2 * ((k + 3) >> 2);
    const int32_t pairs = (p->out_c + 1) >> 1;
    const int32_t zp = p->output_zp, lo = p->act_min, hi = p->act_max;
    int32_t n = 0;
    for (; n + 1 < p->batches; n += 2) {
        const int8_t *a = in[0] + n * k, *b = a + k;
        int8_t *oa = out + n * p->out_c, *ob = oa + p->out_c;
        const int32_t *w = p->weights;
        for (int32_t c = 0; c < 2 * pairs; c += 2, w += words) {
            int32_t acc[4] = {p->bias[c], p->bias[c + 1], p->bias[c], p->bias[c + 1]};
            tc_mac_2x2(a, b, w, k, acc);
            oa[c] = tc_output_s8(acc[0], p->multiplier, p->shift, p->rounding, c, zp, lo, hi);
            ob[c] = tc_output_s8(acc[2], p->multiplier, p->shift, p->rounding, c, zp, lo, hi);
            if (c + 1 < p->out_c) {
                oa[c + 1] = tc_output_s8(acc[1], p->multiplier, p->shift, p->rounding, c + 1, zp, lo, hi);
                ob[c + 1] = tc_output_s8(acc[3], p->multiplier, p->shift, p->rounding, c + 1, zp, lo, hi);
            }
        }
    }
    if (n < p->batches) {
        const int8_t *a = in[0] + n * k;
        int8_t *oa = out + n * p->out_c;
        const int32_t *w = p->weights;
        for (int32_t c = 0; c < 2 * pairs; c += 2, w += words) {
            int32_t acc[2] = {p->bias[c], p->bias[c + 1]};
            tc_mac_1x2(a, w, k, acc);
            oa[c] = tc_output_s8(acc[0], p->multiplier, p->shift, p->rounding, c, zp, lo, hi);
            if (c + 1 < p->out_c) {
                oa[c + 1] = tc_output_s8(acc[1], p->multiplier, p->shift, p->rounding, c + 1, zp, lo, hi);
            }
        }
    }
}
