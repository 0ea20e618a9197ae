/*
 * vireo_check.h - small helpers shared by the check-based unit and device
 * tests: run a suite and turn its result into an exit status, and an IRQ
 * line probe that records the level and counts rising edges.
 */
#ifndef VIREO_TESTS_VIREO_CHECK_H
#define VIREO_TESTS_VIREO_CHECK_H

#include <check.h>
#include <stdint.h>

/* Run every test of S (CK_NORMAL output); 0 when all passed, else 1. */
static inline int vireo_check_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* Deterministic test randomness (not for anything else): xorshift64*
 * and plain xorshift64 (Marsaglia 13/7/17) over the nonzero *STATE. */
static inline uint64_t vireo_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t vireo_xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* An interrupt line's far end: current level and 0 -> 1 transitions. */
struct irq_probe {
    int level;
    unsigned raises;
};

/* irq_line handler for a struct irq_probe (opaque). */
static inline void irq_probe_set(void *opaque, unsigned n, int level)
{
    struct irq_probe *p = opaque;

    (void)n;
    if (level && !p->level)
        p->raises++;
    p->level = level;
}

#endif
