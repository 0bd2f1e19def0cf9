/* NUCLEO-G071RB (STM32G071RB, RM0444): USART2 TX on PA2, RX on PA3 (AF1) to the ST-LINK
 * virtual COM port. The core keeps its reset clock, HSI16 (16 MHz, HSISYS divider 1), which
 * is also PCLK, USART2's default kernel clock (RCC_CCIPR USART2SEL = 00). GPIO ports sit on
 * the IOPORT bus at 0x50000000. Written from the reference manual; not run on a board here. */
#include "tc_board.h"
#include "stm32_gpio.h"

#define RCC_BASE        0x40021000u
#define RCC_IOPENR      (RCC_BASE + 0x34u)     /* GPIOAEN bit 0 */
#define RCC_APBENR1     (RCC_BASE + 0x3Cu)     /* USART2EN bit 17 */
#define GPIOA_BASE      0x50000000u

void tc_board_init(void)
{
    tc_stm32_clock_on(RCC_IOPENR, 1u << 0);
    tc_stm32_clock_on(RCC_APBENR1, 1u << 17);
    tc_stm32_pin_af(GPIOA_BASE, 2u, 1u);       /* USART2_TX */
    tc_stm32_pin_af(GPIOA_BASE, 3u, 1u);       /* USART2_RX */
}
