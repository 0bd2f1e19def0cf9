/* tinycompress native runtime: int8 RESIZE_NEAREST_NEIGHBOR.
 *
 * The generator works out which input row and column each output row and column copies
 * (TFLM's float32 index arithmetic, done once at generation time), so the kernel only
 * gathers whole pixels through two offset tables. */
#ifndef TC_RESIZE_H
#define TC_RESIZE_H

#include <stdint.h>

typedef struct {
    int32_t batches, out_h, out_w, depth;
    int32_t in_batch_bytes;           /* in_h * in_w * depth */
    const int32_t *row_offsets;       /* per output row: source row * in_w * depth */
    const int32_t *col_offsets;       /* per output column: source column * depth */
} tc_resize_nearest_params;

void tc_resize_nearest_s8(const tc_resize_nearest_params *p, const int8_t *const *in, int8_t *out,
                          int8_t *scratch);

#endif /* TC_RESIZE_H */
