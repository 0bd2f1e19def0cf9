/* Ending a run: semihosting SYS_EXIT (QEMU -semihosting, debug probes) when built with
 * TC_SEMIHOST=1; otherwise a wait-for-interrupt loop (real boards without a debugger attached,
 * Renode, where the UART line TC:DONE is the end marker). */
#include "tc_board.h"

#ifndef TC_SEMIHOST
#define TC_SEMIHOST 1
#endif

#define SYS_EXIT                      0x18
#define ADP_STOPPED_APPLICATION_EXIT  0x20026
#define ADP_STOPPED_RUNTIME_ERROR     0x20023

void tc_exit(int status)
{
#if TC_SEMIHOST
    /* AArch32 SYS_EXIT takes the reason code itself in r1; QEMU exits 0 only for ApplicationExit. */
    register uint32_t r0 __asm__("r0") = SYS_EXIT;
    register uint32_t r1 __asm__("r1") = status == 0 ? ADP_STOPPED_APPLICATION_EXIT
                                                     : ADP_STOPPED_RUNTIME_ERROR;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
#else
    (void)status;
#endif
    for (;;) {
        __asm__ volatile("wfi");
    }
}
