/* STM32 USART/LPUART with the ISR/TDR register set (STM32L4/L4+, G0, H7, F7): CR1 at 0x00
 * (UE bit 0, TE bit 3), BRR at 0x0C, ISR at 0x1C (TXE bit 7), TDR at 0x28. The board's
 * tc_board_init() has already opened the UART's clock and routed its TX pin.
 * Baud divisor from the UART's kernel clock (TC_UART_CLOCK_HZ, from the board table):
 * USART: BRR = clock / baud (16x oversampling); LPUART: BRR = 256 x clock / baud. */
#include "tc_board.h"

#ifndef TC_UART_CLOCK_HZ
#error "TC_UART_CLOCK_HZ (the UART's kernel clock) comes from the board table"
#endif
#ifndef TC_UART_BAUD
#define TC_UART_BAUD 115200u
#endif

#define USART_REG(off) (*(volatile uint32_t *)((uintptr_t)(TC_UART_BASE) + (off)))
#define USART_CR1  USART_REG(0x00)
#define USART_BRR  USART_REG(0x0C)
#define USART_ISR  USART_REG(0x1C)
#define USART_TDR  USART_REG(0x28)

#if defined(TC_UART_LPUART) && TC_UART_LPUART
#define TC_UART_BRR ((uint32_t)((256ull * (TC_UART_CLOCK_HZ) + (TC_UART_BAUD) / 2u) / (TC_UART_BAUD)))
#else
#define TC_UART_BRR ((uint32_t)(((TC_UART_CLOCK_HZ) + (TC_UART_BAUD) / 2u) / (TC_UART_BAUD)))
#endif

void tc_uart_init(void)
{
    USART_CR1 = 0u;                     /* BRR may only be written while UE = 0 */
    USART_BRR = TC_UART_BRR;
    USART_CR1 = (1u << 3) | (1u << 0);  /* TE, UE: 8 data bits, no parity, 1 stop bit */
}

void tc_uart_putc(char c)
{
    while ((USART_ISR & (1u << 7)) == 0u) {
    }
    USART_TDR = (uint32_t)(uint8_t)c;
}
