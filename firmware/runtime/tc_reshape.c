#include "tc_reshape.h"

#include <string.h>

void tc_copy_s8(const tc_copy_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    if (out != in[0]) {
        memmove(out, in[0], (size_t)p->bytes);
    }
}
