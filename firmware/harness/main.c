/* Golden-vector harness: runs every embedded input through tc_invoke, compares the output with
 * the host TFLM interpreter's byte for byte, and reports over the UART in tinycompress's line
 * protocol (read by `tinycompress simulate` for QEMU and by the Renode .robot test):
 *
 *   TC:BOOT board=<name> vectors=<n> layers=<n> input=<bytes> output=<bytes> arena=<bytes>
 *   TC:LAYER <i> <name> <ticks>        per layer, for vector 0 (needs -DTC_LAYER_HOOK)
 *   TC:VEC <i> PASS|FAIL <ticks>       one per vector; a FAIL is followed by
 *   TC:OUT <i> <hex>                   the device's output and
 *   TC:EXP <i> <hex>                   the golden output it was compared with
 *   TC:DUMP <vector> <layer> <bytes> <hex>   every layer's output (-DTC_DUMP_LAYERS), from a
 *                                      second, untimed pass: printing never counts as inference
 *   TC:DONE <pass>/<total>
 *   TC:FAULT ...                       from the fault handler (startup.c) or assert (assert.c)
 */
#include <assert.h>
#include <stdint.h>
#include "model.h"
#include "golden.h"
#include "tc_board.h"

#ifndef TC_BOARD_NAME
#define TC_BOARD_NAME "unknown"
#endif

static int8_t output[TC_OUTPUT_BYTES];

static void put_hex_bytes(const int8_t *data, int32_t bytes)
{
    for (int32_t i = 0; i < bytes; i++) {
        tc_put_hex8((uint8_t)data[i]);
    }
}

#ifdef TC_LAYER_HOOK
static uint32_t layer_ticks[TC_NUM_LAYERS];
static uint32_t layer_start;
static int current_vector;
static int dumping;     /* the untimed second pass: print every layer's output */

void tc_layer_done(int layer, const int8_t *data, int32_t bytes)
{
    uint32_t now = tc_ticks_now();
    if (!dumping && current_vector == 0 && layer >= 0 && layer < TC_NUM_LAYERS) {
        layer_ticks[layer] = now - layer_start;
    }
#ifdef TC_DUMP_LAYERS
    if (!dumping) {
        layer_start = tc_ticks_now();
        return;
    }
    tc_puts("TC:DUMP ");
    tc_put_u32((uint32_t)current_vector);
    tc_puts(" ");
    tc_put_u32((uint32_t)layer);
    tc_puts(" ");
    tc_put_u32((uint32_t)bytes);
    tc_puts(" ");
    put_hex_bytes(data, bytes);
    tc_puts("\r\n");
#else
    (void)data;
    (void)bytes;
#endif
    layer_start = tc_ticks_now();   /* printing above is not charged to the next layer */
}

/* A runtime that runs its layers inside a call it does not own (TFLite-Micro's Invoke) marks
 * each layer's start, so that the interpreter's work between layers is charged to none. */
void tc_layer_begin(int layer);
void tc_layer_begin(int layer)
{
    (void)layer;
    layer_start = tc_ticks_now();
}
#endif

static int outputs_equal(const int8_t *a, const int8_t *b)
{
    for (int32_t i = 0; i < TC_OUTPUT_BYTES; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

int main(void)
{
    uint32_t passed = 0;

    tc_ticks_init();
    tc_puts("\r\nTC:BOOT board=" TC_BOARD_NAME " vectors=");
    tc_put_u32(TC_NUM_VECTORS);
    tc_puts(" layers=");
    tc_put_u32(TC_NUM_LAYERS);
    tc_puts(" input=");
    tc_put_u32(TC_INPUT_BYTES);
    tc_puts(" output=");
    tc_put_u32(TC_OUTPUT_BYTES);
    tc_puts(" arena=");
    tc_put_u32(TC_ARENA_BYTES);
    tc_puts("\r\n");

#ifdef TC_TEST_CALIBRATE
    {   /* test hook: a loop of exactly 2 instructions per iteration, to check instructions per tick */
        uint32_t n = TC_TEST_CALIBRATE;
        uint32_t t0 = tc_ticks_now();
        __asm__ volatile(".syntax unified\n1:\n\tsubs %0, %0, #1\n\tbne 1b" : "+l"(n) : : "cc");
        uint32_t t1 = tc_ticks_now();
        tc_puts("TC:CAL ");
        tc_put_u32(t1 - t0);
        tc_puts("\r\n");
    }
#endif

#ifdef TC_TEST_ASSERT
    assert(TC_TEST_ASSERT == 0);   /* test hook: a failed assert must be reported (board/assert.c) */
#endif

#ifdef TC_TEST_FAULT
    __asm__ volatile("udf #0");    /* test hook: an undefined instruction must be reported */
#endif

    for (int v = 0; v < TC_NUM_VECTORS; v++) {
#ifdef TC_LAYER_HOOK
        current_vector = v;
        layer_start = tc_ticks_now();
#endif
        uint32_t start = tc_ticks_now();
        int status = tc_invoke(tc_golden_inputs[v], output);
        uint32_t ticks = tc_ticks_now() - start;
        int ok = status == 0 && outputs_equal(output, tc_golden_outputs[v]);
        passed += (uint32_t)ok;
        tc_puts("TC:VEC ");
        tc_put_u32((uint32_t)v);
        tc_puts(ok ? " PASS " : " FAIL ");
        tc_put_u32(ticks);
        tc_puts("\r\n");
        if (!ok) {
            tc_puts("TC:OUT ");
            tc_put_u32((uint32_t)v);
            tc_puts(" ");
            put_hex_bytes(output, TC_OUTPUT_BYTES);
            tc_puts("\r\nTC:EXP ");
            tc_put_u32((uint32_t)v);
            tc_puts(" ");
            put_hex_bytes(tc_golden_outputs[v], TC_OUTPUT_BYTES);
            tc_puts("\r\n");
        }
    }

#ifdef TC_DUMP_LAYERS
    dumping = 1;        /* after the timed pass: the instruction counts above exclude the UART */
    for (int v = 0; v < TC_NUM_VECTORS; v++) {
        current_vector = v;
        (void)tc_invoke(tc_golden_inputs[v], output);
    }
    dumping = 0;
#endif

#ifdef TC_LAYER_HOOK
    for (int i = 0; i < TC_NUM_LAYERS; i++) {
        tc_puts("TC:LAYER ");
        tc_put_u32((uint32_t)i);
        tc_puts(" ");
        tc_puts(tc_layer_names[i]);
        tc_puts(" ");
        tc_put_u32(layer_ticks[i]);
        tc_puts("\r\n");
    }
#endif

#ifdef TC_TEST_HANG
    for (;;) {                     /* test hook: a firmware that never finishes */
    }
#endif

    tc_puts("TC:DONE ");
    tc_put_u32(passed);
    tc_puts("/");
    tc_put_u32(TC_NUM_VECTORS);
    tc_puts("\r\n");
    return passed == TC_NUM_VECTORS ? 0 : 1;
}
