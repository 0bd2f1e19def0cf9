/* FULLY_CONNECTED int8: two batch rows x two output channels per dot-product core call. */
#include "tc_fully_connected.h"

#include "tc_mac.h"

void tc_fully_connected_s8(const tc_fully_connected_params *p, const int8_t *const *in, int8_t *out,
                           int8_t *scratch) {
    (void)scratch;
    const int32_t k = p->depth;
    int32_t n = 0;
    for (; n + 1 < p->batches; n += 2) {
        const int8_t *a = in[0] + n * k;
        int8_t *oa = out + n * p->out_c;
        tc_rows_s8(2, a, a + k, oa, oa + p->out_c, p->weights, p->bias, k, p->out_c, &p->rq);
    }
    if (n < p->batches) {
        tc_rows_s8(1, in[0] + n * k, NULL, out + n * p->out_c, NULL, p->weights, p->bias, k, p->out_c, &p->rq);
    }
}
