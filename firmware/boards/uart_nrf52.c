/* nRF52 UARTE (EasyDMA): ENABLE = 8, PSEL.TXD = the board's TX pin (port 0), BAUDRATE for
 * 115200 baud (0x01D60000 in the UARTE's table); each character is a one-byte DMA transfer
 * from RAM: TXD.PTR/TXD.MAXCNT, TASKS_STARTTX, wait for EVENTS_ENDTX. Register offsets from
 * the nRF52840 product specification (UARTE chapter). The TX pin's GPIO is set up as an
 * output driven high by tc_board_init(). */
#include "tc_board.h"

#ifndef TC_UART_TX_PIN
#error "TC_UART_TX_PIN comes from the board table"
#endif

#define UARTE_REG(off) (*(volatile uint32_t *)((uintptr_t)(TC_UART_BASE) + (off)))
#define UARTE_TASKS_STARTTX UARTE_REG(0x008)
#define UARTE_EVENTS_ENDTX  UARTE_REG(0x120)
#define UARTE_ENABLE        UARTE_REG(0x500)
#define UARTE_PSEL_TXD      UARTE_REG(0x50C)
#define UARTE_PSEL_RXD      UARTE_REG(0x514)
#define UARTE_BAUDRATE      UARTE_REG(0x524)
#define UARTE_TXD_PTR       UARTE_REG(0x544)
#define UARTE_TXD_MAXCNT    UARTE_REG(0x548)
#define UARTE_CONFIG        UARTE_REG(0x56C)

static volatile uint8_t tx_byte;        /* EasyDMA reads only from RAM */

void tc_uart_init(void)
{
    UARTE_ENABLE = 0u;                  /* pins may only be selected while disabled */
    UARTE_PSEL_TXD = TC_UART_TX_PIN;    /* port 0, CONNECT = 0 (connected) */
    UARTE_PSEL_RXD = 0xFFFFFFFFu;       /* not used: disconnected */
    UARTE_BAUDRATE = 0x01D60000u;       /* 115200 baud */
    UARTE_CONFIG = 0u;                  /* no flow control, no parity, one stop bit */
    UARTE_ENABLE = 8u;
}

void tc_uart_putc(char c)
{
    tx_byte = (uint8_t)c;
    UARTE_TXD_PTR = (uint32_t)(uintptr_t)&tx_byte;
    UARTE_TXD_MAXCNT = 1u;
    UARTE_EVENTS_ENDTX = 0u;
    UARTE_TASKS_STARTTX = 1u;
    while (UARTE_EVENTS_ENDTX == 0u) {
    }
}
