/* tinycompress native runtime: FULLY_CONNECTED, int8 activations and weights, int32 bias,
 * per-tensor or per-channel weight scales (per-tensor ones are broadcast at generation). */
#ifndef TC_FULLY_CONNECTED_H
#define TC_FULLY_CONNECTED_H

#include <stdint.h>

typedef struct {
    int32_t batches;             /* input elements / depth */
    int32_t depth;               /* accumulation depth: the weights' inner dimension */
    int32_t out_c;
    int32_t output_zp;
    int32_t act_min, act_max;
    const int32_t *weights;      /* channel-pair packed, see tc_mac.h */
    const int32_t *bias;         /* bias - input_zp * sum(weights), padded to even */
    const int32_t *multiplier;   /* per channel, padded to even */
    const int32_t *shift;        /* per channel, padded to even */
    const int64_t *rounding;     /* NULL, or 2^30 + 2^(30+r) per channel when every channel
                                    shifts right by r >= 1 (see tc_mac.h) */
} tc_fully_connected_params;

void tc_fully_connected_s8(const tc_fully_connected_params *p, const int8_t *const *in, int8_t *out,
                           int8_t *scratch);

#endif /* TC_FULLY_CONNECTED_H */
