/* nRF51 UART (not UARTE): ENABLE=4, TASKS_STARTTX, write TXD, wait EVENTS_TXDRDY and clear it. */
#include "tc_board.h"

#define NRF_REG(off) (*(volatile uint32_t *)((uintptr_t)(TC_UART_BASE) + (off)))
#define UART_TASKS_STARTTX  NRF_REG(0x008)
#define UART_EVENTS_TXDRDY  NRF_REG(0x11C)
#define UART_ENABLE         NRF_REG(0x500)
#define UART_PSELTXD        NRF_REG(0x50C)
#define UART_TXD            NRF_REG(0x51C)
#define UART_BAUDRATE       NRF_REG(0x524)

void tc_uart_init(void)
{
    UART_PSELTXD = 24u;              /* micro:bit USB serial TX pin (P0.24) */
    UART_BAUDRATE = 0x01D7E000u;     /* 115200 baud */
    UART_ENABLE = 4u;
    UART_TASKS_STARTTX = 1u;
}

void tc_uart_putc(char c)
{
    UART_EVENTS_TXDRDY = 0u;
    UART_TXD = (uint32_t)(uint8_t)c;
    while (UART_EVENTS_TXDRDY == 0u) {
    }
}
