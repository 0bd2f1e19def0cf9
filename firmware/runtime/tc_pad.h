/* tinycompress native runtime: int8 PAD / PADV2 (up to 4-D). */
#ifndef TC_PAD_H
#define TC_PAD_H

#include <stdint.h>

typedef struct {
    int32_t in_dims[4], out_dims[4], before[4];   /* extended to 4-D */
    int32_t pad_value;
} tc_pad_params;

void tc_pad_s8(const tc_pad_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_PAD_H */
