/* STM32 GPIO (the same block on L4/L4+, G0 and H7): MODER at 0x00 (2 bits per pin, 10 =
 * alternate function), OSPEEDR at 0x08, AFRL/AFRH at 0x20/0x24 (4 bits per pin). The port's
 * clock must be on before these registers take writes. */
#ifndef TC_STM32_GPIO_H
#define TC_STM32_GPIO_H
#include <stdint.h>

#define TC_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* Route `pin` of the port at `port` to alternate function `af`. */
static inline void tc_stm32_pin_af(uint32_t port, unsigned pin, unsigned af)
{
    volatile uint32_t *afr = &TC_REG32(port + (pin < 8u ? 0x20u : 0x24u));
    unsigned shift = (pin & 7u) * 4u;
    *afr = (*afr & ~(0xFu << shift)) | ((uint32_t)af << shift);
    TC_REG32(port + 0x08u) |= 1u << (pin * 2u);            /* medium speed */
    TC_REG32(port + 0x00u) = (TC_REG32(port + 0x00u) & ~(3u << (pin * 2u))) | (2u << (pin * 2u));
}

/* Read back a clock-enable register: the RMs ask for a delay of a few bus cycles after
 * enabling a peripheral clock before touching the peripheral; the read gives it. */
static inline void tc_stm32_clock_on(uint32_t enr, uint32_t bit)
{
    TC_REG32(enr) |= bit;
    (void)TC_REG32(enr);
}
#endif
