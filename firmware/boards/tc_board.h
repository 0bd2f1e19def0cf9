/* Board services for tinycompress firmware: UART text output, a tick counter, exit.
 * One implementation per UART kind (uart_*.c); the tick counter is SysTick (tick_systick.c);
 * startup.c holds the vector table, reset and fault handlers. */
#ifndef TC_BOARD_H
#define TC_BOARD_H
#include <stdint.h>

void tc_board_init(void);       /* power, clocks, pins (board_*.c; empty by default) */
void tc_uart_init(void);
void tc_uart_putc(char c);

void tc_puts(const char *s);
void tc_put_u32(uint32_t v);      /* decimal */
void tc_put_hex32(uint32_t v);    /* 8 hex digits */
void tc_put_hex8(uint8_t v);      /* 2 hex digits */

/* Ticks of the SysTick clock since tc_ticks_init(), wrap-safe (24-bit counter + wrap count). */
void tc_ticks_init(void);
uint32_t tc_ticks_now(void);

/* Tell the emulator we are done (semihosting SYS_EXIT where built with TC_SEMIHOST=1),
 * otherwise stop in a low-power loop. Never returns. */
void tc_exit(int status) __attribute__((noreturn));

#endif
