/* tinycompress native runtime: int8 HARD_SWISH, x * relu6(x + 3) / 6, in 16-bit fixed point. */
#ifndef TC_HARD_SWISH_H
#define TC_HARD_SWISH_H

#include <stdint.h>

typedef struct {
    int32_t size;
    int32_t input_zero_point, output_zero_point;
    int32_t output_multiplier, output_exponent;     /* Q15 multiplier, exponent <= 0 */
    int32_t reluish_multiplier, reluish_exponent;   /* Q15 multiplier, any exponent */
} tc_hard_swish_params;

void tc_hard_swish_s8(const tc_hard_swish_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_HARD_SWISH_H */
