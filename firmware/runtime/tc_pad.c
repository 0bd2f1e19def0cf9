#include "tc_pad.h"

#include <string.h>

void tc_pad_s8(const tc_pad_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *x = in[0];
    int32_t o0, o1, o2;
    const int32_t d3 = p->out_dims[3], b3 = p->before[3], n3 = p->in_dims[3];
    (void)scratch;
    for (o0 = 0; o0 < p->out_dims[0]; o0++) {
        const int32_t i0 = o0 - p->before[0];
        for (o1 = 0; o1 < p->out_dims[1]; o1++) {
            const int32_t i1 = o1 - p->before[1];
            for (o2 = 0; o2 < p->out_dims[2]; o2++, out += d3) {
                const int32_t i2 = o2 - p->before[2];
                if (i0 < 0 || i0 >= p->in_dims[0] || i1 < 0 || i1 >= p->in_dims[1] ||
                    i2 < 0 || i2 >= p->in_dims[2]) {
                    memset(out, p->pad_value, (size_t)d3);
                    continue;
                }
                memset(out, p->pad_value, (size_t)b3);
                memcpy(out + b3, x + ((i0 * p->in_dims[1] + i1) * p->in_dims[2] + i2) * n3, (size_t)n3);
                memset(out + b3 + n3, p->pad_value, (size_t)(d3 - b3 - n3));
            }
        }
    }
}
