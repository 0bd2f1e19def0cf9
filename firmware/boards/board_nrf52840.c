/* nRF52840-DK: UARTE0 TX on P0.06 (RX P0.08) to the J-Link virtual COM port. The product
 * specification asks for the TX pin as a GPIO output driven high while the UARTE owns it.
 * The HFCLK runs from the internal 64 MHz oscillator at reset; the UARTE requests it itself.
 * Written from the nRF52840 product specification; not run on a board here. */
#include "tc_board.h"

#define P0_OUTSET  (*(volatile uint32_t *)0x50000508u)
#define P0_DIRSET  (*(volatile uint32_t *)0x50000518u)

void tc_board_init(void)
{
    P0_OUTSET = 1u << TC_UART_TX_PIN;
    P0_DIRSET = 1u << TC_UART_TX_PIN;
}
