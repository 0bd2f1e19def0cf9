#include "tc_resize.h"

#include <string.h>

void tc_resize_nearest_s8(const tc_resize_nearest_params *p, const int8_t *const *in, int8_t *out,
                          int8_t *scratch) {
    const int32_t depth = p->depth, row_bytes = p->out_w * p->depth;
    int32_t b, y, x;
    (void)scratch;
    for (b = 0; b < p->batches; b++) {
        const int8_t *image = in[0] + b * p->in_batch_bytes;
        for (y = 0; y < p->out_h; y++, out += row_bytes) {
            const int8_t *src = image + p->row_offsets[y];
            if (y > 0 && p->row_offsets[y] == p->row_offsets[y - 1]) {
                memcpy(out, out - row_bytes, (size_t)row_bytes);   /* upscaling: row repeats */
            } else if (depth == 1) {
                for (x = 0; x < p->out_w; x++) {
                    out[x] = src[p->col_offsets[x]];
                }
            } else {
                for (x = 0; x < p->out_w; x++) {
                    memcpy(out + x * depth, src + p->col_offsets[x], (size_t)depth);
                }
            }
        }
    }
}
