/* Host test runner: reads N * TC_INPUT_BYTES from stdin, runs tc_invoke on each input and
 * writes N * TC_OUTPUT_BYTES to stdout. Exit status 1 when tc_invoke fails. */
#include <stdio.h>
#include <stdint.h>

#include "model.h"

#ifdef TC_LAYER_HOOK
void tc_layer_done(int layer, const int8_t *data, int32_t bytes) {
    (void)layer;
    (void)data;
    (void)bytes;
}
#endif

int main(void) {
    static int8_t input[TC_INPUT_BYTES];
    static int8_t output[TC_OUTPUT_BYTES];
    while (fread(input, 1, TC_INPUT_BYTES, stdin) == TC_INPUT_BYTES) {
        if (tc_invoke(input, output) != 0) {
            return 1;
        }
        if (fwrite(output, 1, TC_OUTPUT_BYTES, stdout) != TC_OUTPUT_BYTES) {
            return 1;
        }
    }
    return 0;
}
