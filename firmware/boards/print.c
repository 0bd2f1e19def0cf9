/* Minimal text output over the board UART: no printf, so no newlib formatting code in flash. */
#include "tc_board.h"

void tc_puts(const char *s)
{
    while (*s) {
        tc_uart_putc(*s++);
    }
}

void tc_put_u32(uint32_t v)
{
    char buf[11];
    int i = 10;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    tc_puts(&buf[i]);
}

static const char hex_digits[] = "0123456789abcdef";

void tc_put_hex8(uint8_t v)
{
    tc_uart_putc(hex_digits[v >> 4]);
    tc_uart_putc(hex_digits[v & 15u]);
}

void tc_put_hex32(uint32_t v)
{
    for (int shift = 28; shift >= 0; shift -= 4) {
        tc_uart_putc(hex_digits[(v >> shift) & 15u]);
    }
}
