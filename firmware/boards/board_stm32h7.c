/* NUCLEO-H743ZI (STM32H743ZI, RM0433): USART3 TX on PD8, RX on PD9 (AF7) to the ST-LINK
 * virtual COM port. The core keeps its reset clock, HSI 64 MHz, with every bus prescaler at
 * 1, so USART3's default kernel clock (rcc_pclk1, RCC_D2CCIP2R USART234578SEL = 000) is
 * 64 MHz. Flash wait states and voltage scale stay at their reset values (safe for 64 MHz);
 * data lives in the DTCM, which needs no clock enable. Not run on a board here. */
#include "tc_board.h"
#include "stm32_gpio.h"

#define RCC_BASE        0x58024400u
#define RCC_AHB4ENR     (RCC_BASE + 0x0E0u)    /* GPIODEN bit 3 */
#define RCC_APB1LENR    (RCC_BASE + 0x0E8u)    /* USART3EN bit 18 */
#define GPIOD_BASE      0x58020C00u

void tc_board_init(void)
{
    tc_stm32_clock_on(RCC_AHB4ENR, 1u << 3);
    tc_stm32_clock_on(RCC_APB1LENR, 1u << 18);
    tc_stm32_pin_af(GPIOD_BASE, 8u, 7u);       /* USART3_TX */
    tc_stm32_pin_af(GPIOD_BASE, 9u, 7u);       /* USART3_RX */
}
