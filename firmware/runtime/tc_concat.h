/* tinycompress native runtime: int8 CONCATENATION.
 *
 * Bytes are copied as they are, like TFLM's int8 kernel, which ignores the inputs' scales
 * (the TFLite converter gives every input of a concatenation the output's quantization). */
#ifndef TC_CONCAT_H
#define TC_CONCAT_H

#include <stdint.h>

typedef struct {
    int32_t num_inputs;
    int32_t outer;                    /* product of the dimensions before the axis */
    const int32_t *copy_sizes;        /* per input: elements per outer step (axis dim * inner) */
} tc_concat_params;

void tc_concat_s8(const tc_concat_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_CONCAT_H */
