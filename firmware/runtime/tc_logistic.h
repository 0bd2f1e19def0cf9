/* tinycompress native runtime: int8 LOGISTIC (output scale 1/256, zero point -128) and TANH
 * (output scale 1/128, zero point 0), which take the same input parameters. */
#ifndef TC_LOGISTIC_H
#define TC_LOGISTIC_H

#include <stdint.h>

typedef struct {
    int32_t size;
    int32_t input_zero_point, input_range_radius, input_multiplier, input_left_shift;
} tc_logistic_params;

void tc_logistic_s8(const tc_logistic_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
void tc_tanh_s8(const tc_logistic_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_LOGISTIC_H */
