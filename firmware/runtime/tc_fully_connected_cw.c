/* FULLY_CONNECTED with compressed weights: two batch rows share each decoded weight. */
#include "tc_fully_connected_cw.h"

TC_INLINE void fc_cw(int32_t fmt, const tc_fully_connected_cw_params *p, const int8_t *x, int8_t *out) {
    const tc_fully_connected_params *b = &p->base;
    const int32_t k = b->depth;
    int32_t n = 0;
    for (; n + 1 < b->batches; n += 2) {
        const int8_t *row = x + n * k;
        int8_t *o = out + n * b->out_c;
        tc_cw_rows(fmt, 2, row, row + k, o, o + b->out_c, &p->w, b->bias, k, b->out_c, &b->rq);
    }
    if (n < b->batches) {
        tc_cw_rows(fmt, 1, x + n * k, NULL, out + n * b->out_c, NULL, &p->w, b->bias, k, b->out_c, &b->rq);
    }
}

void tc_fully_connected_lut_s8(const tc_fully_connected_cw_params *p, const int8_t *const *in, int8_t *out,
                               int8_t *scratch) {
    (void)scratch;
    fc_cw(TC_CW_LUT, p, in[0], out);
}

void tc_fully_connected_sparse_s8(const tc_fully_connected_cw_params *p, const int8_t *const *in,
                                  int8_t *out, int8_t *scratch) {
    (void)scratch;
    fc_cw(TC_CW_SPARSE, p, in[0], out);
}

void tc_fully_connected_lut_sparse_s8(const tc_fully_connected_cw_params *p, const int8_t *const *in,
                                      int8_t *out, int8_t *scratch) {
    (void)scratch;
    fc_cw(TC_CW_LUT_SPARSE, p, in[0], out);
}

void tc_fully_connected_packed_s8(const tc_fully_connected_cw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch) {
    (void)scratch;
    fc_cw(TC_CW_PACKED, p, in[0], out);
}
