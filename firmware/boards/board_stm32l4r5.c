/* NUCLEO-L4R5ZI (STM32L4R5ZI, RM0432): LPUART1 TX on PG7, RX on PG8 (AF8) to the ST-LINK
 * virtual COM port. Port G pins 2..15 are powered from VDDIO2, which stays isolated until
 * PWR_CR2.IOSV is set (PWR clock first). The core keeps its reset clock, MSI 4 MHz, which
 * is also PCLK1, LPUART1's default kernel clock (RCC_CCIPR LPUART1SEL = 00).
 * Written from the reference manual; not run on a board here. */
#include "tc_board.h"
#include "stm32_gpio.h"

#define RCC_BASE        0x40021000u
#define RCC_AHB2ENR     (RCC_BASE + 0x4Cu)     /* GPIOGEN bit 6 */
#define RCC_APB1ENR1    (RCC_BASE + 0x58u)     /* PWREN bit 28 */
#define RCC_APB1ENR2    (RCC_BASE + 0x5Cu)     /* LPUART1EN bit 0 */
#define PWR_CR2         0x40007004u            /* IOSV bit 9 */
#define GPIOG_BASE      0x48001800u

void tc_board_init(void)
{
    tc_stm32_clock_on(RCC_APB1ENR1, 1u << 28);
    TC_REG32(PWR_CR2) |= 1u << 9;              /* VDDIO2 valid: port G usable */
    tc_stm32_clock_on(RCC_AHB2ENR, 1u << 6);
    tc_stm32_clock_on(RCC_APB1ENR2, 1u << 0);
    tc_stm32_pin_af(GPIOG_BASE, 7u, 8u);       /* LPUART1_TX */
    tc_stm32_pin_af(GPIOG_BASE, 8u, 8u);       /* LPUART1_RX */
}
