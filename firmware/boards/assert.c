/* assert() on the device: newlib's own __assert_func formats with fprintf, which pulls stdio,
 * malloc and _sbrk (and the linker symbol `end`) into an image that has no heap. This one
 * prints a TC:FAULT line, which `simulate` reports as a fault, and stops. Code built without
 * NDEBUG reaches it: a TFLite-Micro library or glue built with its asserts, or the harness. */
#include <assert.h>
#include "tc_board.h"

void __assert_func(const char *file, int line, const char *func, const char *expr)
{
    tc_puts("\r\nTC:FAULT assert=");
    tc_puts(expr ? expr : "?");
    tc_puts(" at ");
    tc_puts(file ? file : "?");
    tc_puts(":");
    tc_put_u32((uint32_t)line);
    if (func) {
        tc_puts(" in ");
        tc_puts(func);
    }
    tc_puts("\r\n");
    tc_exit(3);
}
