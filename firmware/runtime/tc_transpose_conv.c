#include "tc_transpose_conv.h"

#include <string.h>

void tc_transpose_conv_s8(const tc_transpose_conv_params *p, const int8_t *const *in, int8_t *out,
                          int8_t *scratch) {
    int32_t *acc = (int32_t *)(void *)scratch;
    const int32_t plane = p->out_h * p->out_w * p->out_c;
    const int32_t taps = p->k_h * p->k_w * p->in_c;      /* one output channel's weights */
    const tc_requant q = p->rq;
    const int8_t *x = in[0];
    int32_t b, iy, ix, ic, ky, kx, oc, i;
    for (b = 0; b < p->batches; b++, out += plane) {
        memset(acc, 0, (size_t)plane * sizeof(int32_t));
        for (iy = 0; iy < p->in_h; iy++) {
            for (ix = 0; ix < p->in_w; ix++) {
                for (ic = 0; ic < p->in_c; ic++, x++) {
                    const int32_t v = *x + p->input_offset;
                    for (ky = 0; ky < p->k_h; ky++) {
                        const int32_t oy = iy * p->stride_h - p->pad_top + ky;
                        if (oy < 0 || oy >= p->out_h) {
                            continue;
                        }
                        for (kx = 0; kx < p->k_w; kx++) {
                            const int32_t ox = ix * p->stride_w - p->pad_left + kx;
                            const int8_t *w = p->weights + (ky * p->k_w + kx) * p->in_c + ic;
                            int32_t *a = acc + (oy * p->out_w + ox) * p->out_c;
                            if (ox < 0 || ox >= p->out_w) {
                                continue;
                            }
                            for (oc = 0; oc < p->out_c; oc++) {
                                a[oc] += v * w[oc * taps];
                            }
                        }
                    }
                }
            }
        }
        for (i = 0; i < plane; i++) {
            oc = i % p->out_c;
            out[i] = tc_output_s8(acc[i] + p->bias[oc], &q, oc);
        }
    }
}
