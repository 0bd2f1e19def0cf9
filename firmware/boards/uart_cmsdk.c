/* ARM CMSDK APB UART (MPS2 / MPS3 FPGA images): DATA, STATE (bit 0: TX full), CTRL (bit 0: TX enable),
 * BAUDDIV. TC_UART_BASE comes from the board table through the Makefile. */
#include "tc_board.h"

#define UART_REG(off) (*(volatile uint32_t *)((uintptr_t)(TC_UART_BASE) + (off)))
#define UART_DATA     UART_REG(0x00)
#define UART_STATE    UART_REG(0x04)
#define UART_CTRL     UART_REG(0x08)
#define UART_BAUDDIV  UART_REG(0x10)

void tc_uart_init(void)
{
    UART_BAUDDIV = 16u;   /* the smallest divider the block accepts; emulators ignore it */
    UART_CTRL = 1u;       /* TX enable */
}

void tc_uart_putc(char c)
{
    while (UART_STATE & 1u) {
    }
    UART_DATA = (uint32_t)(uint8_t)c;
}
