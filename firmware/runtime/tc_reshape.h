/* tinycompress native runtime: RESHAPE (data unchanged; normally an alias, a copy when the
 * output must land in the caller's buffer). */
#ifndef TC_RESHAPE_H
#define TC_RESHAPE_H

#include <stdint.h>

typedef struct {
    int32_t bytes;
} tc_copy_params;

void tc_copy_s8(const tc_copy_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_RESHAPE_H */
