/*
 * trace.c - teaching traces of the software CPU (log categories of
 * util/log.h): "in_asm" disassembles each newly decoded block with
 * capstone, "exec" prints every executed instruction (address and the
 * opcode table's mnemonic), "cpu" adds the registers after it.  Only
 * called when the category is enabled, so the hot path pays one test per
 * block.
 *
 * ("mmu" is logged by cpu/mmu.c on TLB fills and page faults.)
 * Not implemented: capstone handles are not shared safely between
 * threads running different vCPUs.
 */
#include "cpu/trace.h"

#include <capstone/capstone.h>
#include <inttypes.h>

#include "util/log.h"

static csh handle[3];
static bool opened[3];

void trace_block(struct vcpu *v, uint64_t lin, uint64_t pa, const uint8_t *bytes, size_t len)
{
    int k = v->csize == 8 ? 2 : v->csize == 4 ? 1 : 0;
    if (!opened[k]) {
        static const cs_mode modes[3] = {CS_MODE_16, CS_MODE_32, CS_MODE_64};
        if (cs_open(CS_ARCH_X86, modes[k], &handle[k]) != CS_ERR_OK)
            return;
        opened[k] = true;
    }
    cs_insn *insn;
    size_t n = cs_disasm(handle[k], bytes, len, lin, 0, &insn);
    vlog(LOG_IN_ASM, "IN: block at %04x:%016" PRIx64 " (phys %#" PRIx64 ", %u-bit)\n",
         v->s.seg[SEG_CS].selector, lin, pa, v->csize * 8);
    for (size_t j = 0; j < n; j++)
        vlog(LOG_IN_ASM, "  %016" PRIx64 "  %-8s %s\n", insn[j].address, insn[j].mnemonic,
             insn[j].op_str);
    if (n)
        cs_free(insn, n);
}

void trace_exec(struct vcpu *v, const struct insn *i)
{
    vlog(LOG_EXEC, "exec %04x:%016" PRIx64 " %s %s\n", v->s.seg[SEG_CS].selector,
         v->cur_rip, i->ent->mnem, i->ent->operands);
}

void trace_cpu(struct vcpu *v)
{
    static const char *const names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    uint64_t f = cpu_get_flags(v);
    for (int k = 0; k < 16; k += 4)
        vlog(LOG_CPU, "  %-3s=%016" PRIx64 " %-3s=%016" PRIx64 " %-3s=%016" PRIx64 " %-3s=%016" PRIx64 "\n",
             names[k], v->s.gpr[k], names[k + 1], v->s.gpr[k + 1], names[k + 2], v->s.gpr[k + 2],
             names[k + 3], v->s.gpr[k + 3]);
    vlog(LOG_CPU, "  rip=%016" PRIx64 " rfl=%08" PRIx64 " cpl=%u cr0=%08" PRIx64 " cr3=%" PRIx64 "\n",
         v->s.rip, f, v->cpl, v->s.cr0, v->s.cr3);
}
