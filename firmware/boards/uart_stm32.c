/* STM32F4 USART: SR (bit 7 TXE), DR, BRR, CR1 (UE bit 13, TE bit 3). The clock gate for USART1
 * (RCC APB2ENR bit 4) is opened for real silicon; QEMU ignores it. */
#include "tc_board.h"

#define USART_REG(off) (*(volatile uint32_t *)((uintptr_t)(TC_UART_BASE) + (off)))
#define USART_SR   USART_REG(0x00)
#define USART_DR   USART_REG(0x04)
#define USART_BRR  USART_REG(0x08)
#define USART_CR1  USART_REG(0x0C)
#define RCC_APB2ENR (*(volatile uint32_t *)0x40023844u)

void tc_uart_init(void)
{
    RCC_APB2ENR |= 1u << 4;
    USART_BRR = 0x8Bu;                 /* 115200 baud from a 16 MHz APB2 clock (reset HSI) */
    USART_CR1 = (1u << 13) | (1u << 3);
}

void tc_uart_putc(char c)
{
    while ((USART_SR & (1u << 7)) == 0u) {
    }
    USART_DR = (uint32_t)(uint8_t)c;
}
