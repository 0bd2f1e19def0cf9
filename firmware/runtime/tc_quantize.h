/* tinycompress native runtime: QUANTIZE int8 -> int8 (requantize). */
#ifndef TC_QUANTIZE_H
#define TC_QUANTIZE_H

#include <stdint.h>

typedef struct {
    int32_t size;
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier, shift;
} tc_quantize_params;

void tc_quantize_s8(const tc_quantize_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_QUANTIZE_H */
