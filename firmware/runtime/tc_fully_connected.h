/* tinycompress native runtime: FULLY_CONNECTED, int8 activations and weights, int32 bias,
 * per-tensor or per-channel weight scales (per-tensor ones are broadcast at generation). */
#ifndef TC_FULLY_CONNECTED_H
#define TC_FULLY_CONNECTED_H

#include <stdint.h>

#include "tc_mac.h"

typedef struct {
    int32_t batches;             /* input elements / depth */
    int32_t depth;               /* accumulation depth: the weights' inner dimension */
    int32_t out_c;
    const int32_t *weights;      /* channel-pair packed, see tc_mac.h */
    const int32_t *bias;         /* bias - input_zp * sum(weights), padded to even */
    tc_requant rq;               /* per-channel arrays padded to even */
} tc_fully_connected_params;

void tc_fully_connected_s8(const tc_fully_connected_params *p, const int8_t *const *in, int8_t *out,
                           int8_t *scratch);

#endif /* TC_FULLY_CONNECTED_H */
