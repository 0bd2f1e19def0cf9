/* tinycompress native runtime: FULLY_CONNECTED with compressed weights (tc_cweights.h). */
#ifndef TC_FULLY_CONNECTED_CW_H
#define TC_FULLY_CONNECTED_CW_H

#include <stdint.h>

#include "tc_cweights.h"
#include "tc_fully_connected.h"

typedef struct {
    tc_fully_connected_params base;   /* shape, folded bias, requantization; base.weights unused */
    tc_cweights w;
} tc_fully_connected_cw_params;

void tc_fully_connected_lut_s8(const tc_fully_connected_cw_params *p, const int8_t *const *in, int8_t *out,
                               int8_t *scratch);
void tc_fully_connected_sparse_s8(const tc_fully_connected_cw_params *p, const int8_t *const *in,
                                  int8_t *out, int8_t *scratch);
void tc_fully_connected_lut_sparse_s8(const tc_fully_connected_cw_params *p, const int8_t *const *in,
                                      int8_t *out, int8_t *scratch);

void tc_fully_connected_packed_s8(const tc_fully_connected_cw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);

#endif /* TC_FULLY_CONNECTED_CW_H */
