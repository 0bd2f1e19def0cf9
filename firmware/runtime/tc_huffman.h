/* tinycompress native runtime: Huffman-coded weights (tinycompress/firmware/native/huffman.py,
 * the `huffman` row of native/weights.py), decoded into a scratch buffer for the dense kernels.
 *
 * A [out_c, k] weight matrix (CONV_2D / FULLY_CONNECTED: each output channel's taps;
 * DEPTHWISE_CONV_2D: each channel's k_h * k_w taps) is one stream of entries in row-major
 * order: per nonzero weight, the zeros before it (run symbols; the symbol `escape` stands
 * for `escape` zeros and no weight yet, and runs cross rows) and its value symbol: the
 * int8 weight, or its index in the channel's codebook (its distinct nonzero values). escape 0: no runs, every weight is an entry. Two canonical codes per tensor
 * (runs, values), each a table of code counts per length and symbols; codes are at most
 * TC_HUFF_MAX_BITS bits, read MSB first through a 16-bit window: per code one compare per
 * length from the shortest.
 *
 * The kernels decode `group` output channels at a time into the dense kernel's weight layout
 * in scratch RAM (zeros first, then each nonzero at its place) and run the dense multiply-
 * accumulate core on them, so the results are the dense kernel's. No heap: the decoder's
 * state and tables live in the layer's scratch, which the static memory plan provides.
 */
#ifndef TC_HUFFMAN_H
#define TC_HUFFMAN_H

#include <stdint.h>

#include "tc_conv.h"
#include "tc_depthwise.h"
#include "tc_fully_connected.h"

#define TC_HUFF_MAX_BITS 12
#define TC_HUFF_READER_BYTES 576   /* the decoder's state and look-up tables, in scratch */

typedef struct {
    const uint8_t *stream;   /* the codes, MSB first, + 4 bytes the reader fetches ahead */
    const uint8_t *tables;   /* the run code's table, then the value code's */
    int32_t entries;         /* entries in the stream */
    int32_t escape;          /* the run symbol for `escape` zeros and no value; 0: no runs */
    int32_t group;           /* output channels decoded at a time (even; depthwise: all) */
    const int8_t *codebook;  /* NULL: value symbols are the int8 weights; else per channel */
    int32_t cb_stride;       /* ... cb_stride entries, a value symbol indexes its channel's */
} tc_hweights;

typedef struct {
    tc_conv2d_params base;   /* geometry, folded bias, requantization; base.weights unused */
    tc_hweights w;
} tc_conv2d_hw_params;

typedef struct {
    tc_fully_connected_params base;
    tc_hweights w;
} tc_fully_connected_hw_params;

typedef struct {
    tc_depthwise_conv2d_params base;   /* base.weights / base.wquads unused */
    tc_hweights w;
} tc_depthwise_conv2d_hw_params;

/* scratch: 8 bytes of alignment, TC_HUFF_READER_BYTES, then the decoded weights: CONV_2D
 * group * 4 * ceil(k / 4) bytes, then the dense kernel's scratch; FULLY_CONNECTED the same
 * without; DEPTHWISE_CONV_2D the whole layer's weights in the dense layout, then the dense
 * kernel's scratch. */
void tc_conv2d_huffman_s8(const tc_conv2d_hw_params *p, const int8_t *const *in, int8_t *out, int8_t *scratch);
void tc_fully_connected_huffman_s8(const tc_fully_connected_hw_params *p, const int8_t *const *in, int8_t *out,
                                   int8_t *scratch);
void tc_depthwise_conv2d_huffman_s8(const tc_depthwise_conv2d_hw_params *p, const int8_t *const *in, int8_t *out,
                                    int8_t *scratch);

#endif /* TC_HUFFMAN_H */
