#include "tc_strided_slice.h"

#include <string.h>

void tc_strided_slice_s8(const tc_strided_slice_params *p, const int8_t *const *in, int8_t *out,
                         int8_t *scratch) {
    const int32_t n3 = p->counts[3], s3 = p->steps[3];
    int32_t i0, i1, i2, i3;
    (void)scratch;
    for (i0 = 0; i0 < p->counts[0]; i0++) {
        for (i1 = 0; i1 < p->counts[1]; i1++) {
            for (i2 = 0; i2 < p->counts[2]; i2++, out += n3) {
                const int8_t *src = in[0] + p->base + i0 * p->steps[0] + i1 * p->steps[1] +
                                    i2 * p->steps[2];
                if (s3 == 1) {                       /* contiguous innermost run */
                    memcpy(out, src, (size_t)n3);
                } else {
                    for (i3 = 0; i3 < n3; i3++) {
                        out[i3] = src[i3 * s3];
                    }
                }
            }
        }
    }
}
