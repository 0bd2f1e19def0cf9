/* SysTick as a free-running tick counter: 24-bit down-counter at full reload, plus a wrap count
 * kept by the SysTick interrupt, so tc_ticks_now() is monotonic for 2^32 ticks.
 *
 * Under QEMU with -icount shift=0 every instruction advances virtual time by 1 ns, so ticks
 * are a repeatable instruction count (ticks x 1e9 / SysTick Hz). QEMU reads the current value
 * as 0 until the first reload after enabling: tc_ticks_init() waits for a non-zero value. */
#include "tc_board.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_RELOAD 0x00FFFFFFu

static volatile uint32_t wraps;

void tc_systick_handler(void)
{
    wraps++;
}

void tc_ticks_init(void)
{
    SYST_CSR = 0u;
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0u;
    wraps = 0u;
    SYST_CSR = 7u;                 /* processor clock, interrupt, enable */
    /* Bounded: a core without SysTick (the nRF51's M0 has none) reads 0 forever; then the
     * firmware still runs and checks its vectors, and every tick count reads 0. */
    for (uint32_t polls = 0u; SYST_CVR == 0u && polls < 1000000u; polls++) {
    }
}

uint32_t tc_ticks_now(void)
{
    uint32_t w1, w2, v;
    do {                           /* a wrap between the reads would pair a new value with an old count */
        w1 = wraps;
        v = SYST_CVR;
        w2 = wraps;
    } while (w1 != w2);
    return w1 * (SYST_RELOAD + 1u) + (SYST_RELOAD - v);
}
