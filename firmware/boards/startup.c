/* Reset, vector table and fault reporting shared by every Cortex-M board.
 * The linker script (rendered from the board table) provides the symbols used here. */
#include <stdint.h>
#include <string.h>
#include "tc_board.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

int main(void);
void tc_systick_handler(void);
void tc_reset_handler(void);
void tc_fault_handler(void);
void tc_default_handler(void);

/* Power, clock gates and pins of a real chip (board_*.c); emulated boards need none. */
__attribute__((weak)) void tc_board_init(void)
{
}

/* Reset: copy .data, clear .bss, open the FPU (and MVE) coprocessors when compiled for them,
 * bring up the board, then its UART. */
void tc_reset_handler(void)
{
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;   /* CPACR: CP10, CP11 full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    tc_board_init();
    tc_uart_init();
    tc_exit(main());
}

#if defined(__ARM_ARCH_6M__) || defined(__ARM_ARCH_8M_BASE__)
#define TC_HAS_CFSR 0
#else
#define TC_HAS_CFSR 1
#endif

static void put_reg(const char *name, uint32_t value)
{
    tc_puts(" ");
    tc_puts(name);
    tc_puts("=0x");
    tc_put_hex32(value);
}

/* Called with the exception stack frame (r0-r3, r12, lr, pc, xpsr) and the EXC_RETURN value. */
void tc_fault_report(const uint32_t *frame, uint32_t exc_return)
{
    static const char *const names[] = {"r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr"};
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    tc_puts("\r\nTC:FAULT exception=");
    tc_put_u32(ipsr & 0x1FFu);
    for (int i = 0; i < 8; i++) {
        put_reg(names[i], frame[i]);
    }
    put_reg("exc_return", exc_return);
#if TC_HAS_CFSR
    put_reg("cfsr", *(volatile uint32_t *)0xE000ED28u);
    put_reg("hfsr", *(volatile uint32_t *)0xE000ED2Cu);
    put_reg("mmfar", *(volatile uint32_t *)0xE000ED34u);
    put_reg("bfar", *(volatile uint32_t *)0xE000ED38u);
#endif
    tc_puts("\r\n");
    tc_exit(2);
}

/* Find the stacked frame (MSP or PSP from EXC_RETURN bit 2) in Thumb-1 so it also runs on M0. */
__attribute__((naked)) void tc_fault_handler(void)
{
    __asm__ volatile(
        "movs r0, #4\n\t"
        "mov r1, lr\n\t"
        "tst r0, r1\n\t"
        "beq 1f\n\t"
        "mrs r0, psp\n\t"
        "b 2f\n"
        "1:\n\t"
        "mrs r0, msp\n"
        "2:\n\t"
        "ldr r2, =tc_fault_report\n\t"
        "bx r2\n\t"
        ".ltorg\n");
}

void tc_default_handler(void)
{
    tc_puts("\r\nTC:FAULT unexpected interrupt\r\n");
    tc_exit(2);
}

typedef void (*tc_vector)(void);

#define TC_IRQ8 tc_default_handler, tc_default_handler, tc_default_handler, tc_default_handler, \
                tc_default_handler, tc_default_handler, tc_default_handler, tc_default_handler

/* 16 system exceptions and 32 device interrupts: enough for every board in the table. */
__attribute__((section(".vectors"), used)) const tc_vector tc_vectors[16 + 32] = {
    (tc_vector)(uintptr_t)__stack_top,
    tc_reset_handler,
    tc_fault_handler,      /* NMI */
    tc_fault_handler,      /* HardFault */
    tc_fault_handler,      /* MemManage */
    tc_fault_handler,      /* BusFault */
    tc_fault_handler,      /* UsageFault */
    tc_fault_handler,      /* SecureFault (v8-M) */
    0, 0, 0,
    tc_default_handler,    /* SVCall */
    tc_default_handler,    /* DebugMonitor */
    0,
    tc_default_handler,    /* PendSV */
    tc_systick_handler,    /* SysTick */
    TC_IRQ8, TC_IRQ8, TC_IRQ8, TC_IRQ8,
};
