/*
 * irq.h - interrupt request lines.  A device raises and lowers the
 * numbered lines the board hands it; the board decides where each line
 * goes (PIC/IOAPIC input, the in-kernel irqchip, a test probe).
 */
#ifndef VIREO_HW_CORE_IRQ_H
#define VIREO_HW_CORE_IRQ_H

typedef void (*irq_handler_fn)(void *opaque, unsigned n, int level);

struct irq_line {
    irq_handler_fn handler;  /* NULL: line not connected */
    void *opaque;
    unsigned n;
};

static inline void irq_set(const struct irq_line *line, int level)
{
    if (line && line->handler)
        line->handler(line->opaque, line->n, level);
}

static inline void irq_raise(const struct irq_line *line) { irq_set(line, 1); }
static inline void irq_lower(const struct irq_line *line) { irq_set(line, 0); }

#endif
