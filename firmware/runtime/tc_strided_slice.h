/* tinycompress native runtime: int8 STRIDED_SLICE with constant begin/end/strides.
 *
 * The generator resolves masks, negative indices and clamping (TFLM's rules), so the kernel
 * walks four nested counts from one start offset with a signed step per axis. */
#ifndef TC_STRIDED_SLICE_H
#define TC_STRIDED_SLICE_H

#include <stdint.h>

typedef struct {
    int32_t base;          /* input offset of the first element copied */
    int32_t counts[4];     /* elements taken per axis (leading axes padded with 1) */
    int32_t steps[4];      /* input offset between them: stride * the axis's pitch */
} tc_strided_slice_params;

void tc_strided_slice_s8(const tc_strided_slice_params *p, const int8_t *const *in, int8_t *out,
                         int8_t *scratch);

#endif /* TC_STRIDED_SLICE_H */
