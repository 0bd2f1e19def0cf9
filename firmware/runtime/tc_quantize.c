#include "tc_quantize.h"

#include "tc_runtime.h"

void tc_quantize_s8(const tc_quantize_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    const int8_t *x = in[0];
    int32_t i;
    (void)scratch;
    for (i = 0; i < p->size; i++) {
        int32_t v = tc_requantize(x[i] - p->input_zero_point, p->multiplier, p->shift)
                    + p->output_zero_point;
        out[i] = (int8_t)tc_clamp(v, -128, 127);
    }
}
