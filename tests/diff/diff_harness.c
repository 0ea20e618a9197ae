/*
 * diff_harness.c - the guest environment of the differential tester (see
 * diff_harness.h for the design): descriptor tables, page tables and
 * mode states built in a fake machine's RAM, one case per vcpu_run,
 * results recovered from the exception frame that every exit leaves.
 *
 * SDM vol. 3A: 3.4.5 (segment descriptors), 6.11/6.14.1 (IDT gate
 * formats), 6.12.1/6.14.2 (frames pushed with and without a privilege
 * change, error codes), 7.7 (64-bit TSS), 4.5 (4-level paging), 5.2.1
 * (compatibility mode).
 *
 * Not covered: a back end that stops elsewhere than the sled or a stub
 * is reported as DIFF_ST_ERROR; KVM runs are bounded by a 1 s timer.
 */
#include "diff_harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

#define GDT_GPA   0x500u
#define IDT_GPA   0x1000u
#define TSS_GPA   0x2000u
#define STUB_GPA  0x3000u
#define KSTACK    0x5000u
#define PML4_GPA  0xc000u
#define STUB_PORT 0x80u

/* GDT selectors */
#define SEL_KCODE64 0x08
#define SEL_KDATA   0x10
#define SEL_UDATA   0x23
#define SEL_UCODE64 0x2b
#define SEL_UCODE32 0x33
#define SEL_TSS     0x38

struct diff_env {
    const struct accel_ops *ops;
    struct accel *a;
    struct cpu_bus bus;
    uint8_t *ram;
    bool stop;
    bool kvm;
    int last_mode;
};

static struct diff_env *alarm_env;

static uint8_t *env_map(void *opaque, uint64_t gpa, uint64_t *len, bool write)
{
    struct diff_env *e = opaque;
    (void)write;
    if (gpa >= DIFF_RAM_SIZE)
        return NULL;
    if (*len > DIFF_RAM_SIZE - gpa)
        *len = DIFF_RAM_SIZE - gpa;
    return e->ram + gpa;
}

static uint64_t env_mem_read(void *opaque, uint64_t gpa, unsigned size)
{
    (void)opaque; (void)gpa; (void)size;
    return ~0ull;
}

static void env_mem_write(void *opaque, uint64_t gpa, uint64_t val, unsigned size)
{
    (void)opaque; (void)gpa; (void)val; (void)size;
}

static uint32_t env_pio_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque; (void)port; (void)size;
    return 0xffffffffu;
}

static void env_pio_write(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    struct diff_env *e = opaque;
    (void)val; (void)size;
    if (port == STUB_PORT)
        e->stop = true;
}

static bool env_intr_pending(void *opaque) { (void)opaque; return false; }
static int env_intr_ack(void *opaque) { (void)opaque; return -1; }
static bool env_stop_requested(void *opaque) { return ((struct diff_env *)opaque)->stop; }

const char *diff_mode_name(enum diff_mode m)
{
    static const char *const n[] = {"real16", "prot32", "long64"};
    return (unsigned)m < DIFF_NMODES ? n[m] : "?";
}

unsigned diff_nregs(enum diff_mode m) { return m == DIFF_LONG64 ? 16 : 8; }

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* Descriptor tables, stubs and page tables of mode M.  The page tables are
 * rewritten every case (A/D bits). */
static void env_tables(struct diff_env *e, enum diff_mode m)
{
    uint8_t *r = e->ram;
    if (e->last_mode != (int)m) {
        memset(r, 0, DIFF_SLED_GPA);
        static const uint64_t gdt[] = {
            0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0x00cf9b000000ffffull,
            0x00cff3000000ffffull, 0x00affb000000ffffull, 0x00cffb000000ffffull,
        };
        memcpy(r + GDT_GPA, gdt, sizeof(gdt));
        /* TSS descriptor: base TSS_GPA, limit 0x67, busy TSS (type 0xb) */
        uint64_t tss = 0x67 | ((uint64_t)TSS_GPA << 16) | (0x8bull << 40);
        put64(r + GDT_GPA + 0x38, tss);
        put64(r + GDT_GPA + 0x40, 0);
        for (unsigned v = 0; v < 256; v++) {
            uint32_t stub = STUB_GPA + 4 * v;
            r[stub] = 0xe6;            /* out 0x80, al */
            r[stub + 1] = STUB_PORT;
            r[stub + 2] = 0xeb;        /* jmp $ */
            r[stub + 3] = 0xfe;
            if (m == DIFF_REAL16) {
                put16(r + 4 * v, (uint16_t)stub);
                put16(r + 4 * v + 2, 0);
            } else {
                uint64_t g = (stub & 0xffff) | ((uint64_t)SEL_KCODE64 << 16) |
                             (0x8eull << 40) | ((uint64_t)(stub >> 16) << 48);
                put64(r + IDT_GPA + 16 * v, g);
                put64(r + IDT_GPA + 16 * v + 8, 0);
            }
        }
        if (m != DIFF_REAL16)
            put64(r + TSS_GPA + 4, KSTACK);    /* RSP0 */
        put16(r + TSS_GPA + 0x66, 0x68);       /* no I/O bitmap */
        e->last_mode = (int)m;
    }
    if (m != DIFF_REAL16) {
        memset(r + PML4_GPA, 0, 0x3000);
        put64(r + PML4_GPA, (PML4_GPA + 0x1000) | 7);
        put64(r + PML4_GPA + 0x1000, (PML4_GPA + 0x2000) | 7);
        put64(r + PML4_GPA + 0x2000, 0x87);    /* 2 MiB, user, writable */
    }
}

static void seg_set(struct x86_segment *s, uint16_t sel, uint8_t type, uint8_t dpl, bool l, bool db,
                    uint32_t limit)
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->limit = limit;
    s->type = type;
    s->s = 1;
    s->dpl = dpl;
    s->present = 1;
    s->l = l;
    s->db = db;
    s->g = limit > 0xfffff;
}

static void env_state(const struct diff_case *c, struct cpu_state *s)
{
    cpu_state_reset(s, 0x600);
    unsigned n = diff_nregs(c->mode);
    for (unsigned k = 0; k < 16; k++)
        s->gpr[k] = k < n ? c->gpr[k] : 0;
    s->rip = DIFF_CODE_GPA;
    s->rflags = (c->rflags | X86_FLAG_FIXED) & ~(uint64_t)(X86_FLAG_TF | X86_FLAG_RF | X86_FLAG_VM);
    /* OSXSAVE with XCR0 = x87|SSE: the test host's KVM runs a guest whose
     * CR4.OSXSAVE is clear with the host's XCR0 still loaded (XGETBV works
     * there), so only the enabled state is comparable */
    s->cr4 = X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_OSXSAVE;
    s->cr0 = X86_CR0_ET | X86_CR0_NE | X86_CR0_MP;
    s->xcr0 = 3;
    s->fpu = c->fpu;
    if (!c->set_fpu) {
        memset(&s->fpu, 0, sizeof(s->fpu));
        s->fpu.fcw = 0x37f;
        s->fpu.mxcsr = 0x1f80;
    }
    if (c->mode == DIFF_REAL16) {
        for (int k = 0; k < X86_NR_SREGS; k++)
            seg_set(&s->seg[k], 0, k == SEG_CS ? 0xb : 0x3, 0, false, false, 0xffff);
        s->idtr.base = 0;
        s->idtr.limit = 0x3ff;
        s->gdtr.base = GDT_GPA;
        s->gdtr.limit = 0x47;
        return;
    }
    s->cr0 |= X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
    s->gdtr.base = GDT_GPA;
    s->gdtr.limit = 0x47;
    s->tr.selector = SEL_TSS;
    s->tr.base = TSS_GPA;
    s->tr.limit = 0x67;
    s->tr.type = 0xb;
    s->tr.present = 1;
    s->ldtr.unusable = 1;
    s->ldtr.type = 2;
    for (int k = 0; k < X86_NR_SREGS; k++)
        seg_set(&s->seg[k], SEL_UDATA, 0x3, 3, false, true, 0xffffffff);
    s->cr4 |= X86_CR4_PAE;
    s->cr3 = PML4_GPA;
    s->efer = X86_EFER_LME | X86_EFER_LMA;
    s->idtr.base = IDT_GPA;
    s->idtr.limit = 256 * 16 - 1;
    if (c->mode == DIFF_PROT32)   /* compatibility mode: 32-bit code segment */
        seg_set(&s->seg[SEG_CS], SEL_UCODE32, 0xb, 3, false, true, 0xffffffff);
    else
        seg_set(&s->seg[SEG_CS], SEL_UCODE64, 0xb, 3, true, false, 0xffffffff);
}

static void on_alarm(int sig)
{
    (void)sig;
    struct diff_env *e = alarm_env;
    if (e && e->ops->kick)
        e->ops->kick(e->a, 0);
}

int diff_env_create(const struct accel_ops *ops, struct diff_env **out, char *err, size_t errlen)
{
    struct diff_env *e = calloc(1, sizeof(*e));
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    e->ram = mmap(NULL, DIFF_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (e->ram == MAP_FAILED) {
        free(e);
        snprintf(err, errlen, "mmap: %s", strerror(errno));
        return -ENOMEM;
    }
    e->ops = ops;
    e->last_mode = -1;
    e->kvm = !strcmp(ops->name, "kvm");
    e->bus = (struct cpu_bus){
        .opaque = e, .map = env_map, .mem_read = env_mem_read, .mem_write = env_mem_write,
        .pio_read = env_pio_read, .pio_write = env_pio_write,
        .intr_pending = env_intr_pending, .intr_ack = env_intr_ack,
    };
    struct accel_config cfg = {.bus = &e->bus, .ncpus = 1, .stop_requested = env_stop_requested};
    int ret = accel_create(ops, &cfg, &e->a);
    if (ret < 0) {
        snprintf(err, errlen, "%s: cannot create the accelerator", ops->name);
        munmap(e->ram, DIFF_RAM_SIZE);
        free(e);
        return ret;
    }
    ret = ops->map_memory(e->a, 0, DIFF_RAM_SIZE, e->ram, false);
    if (ret == 0)
        ret = ops->vcpu_create(e->a, 0);
    if (ret < 0) {
        snprintf(err, errlen, "%s: cannot map memory or create the vCPU: %s", ops->name,
                 strerror(-ret));
        accel_destroy(e->a);
        munmap(e->ram, DIFF_RAM_SIZE);
        free(e);
        return ret;
    }
    if (e->kvm) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_alarm;     /* no SA_RESTART: KVM_RUN returns EINTR */
        sigaction(SIGALRM, &sa, NULL);
        alarm_env = e;
    }
    *out = e;
    return 0;
}

void diff_env_destroy(struct diff_env *e)
{
    if (!e)
        return;
    if (alarm_env == e)
        alarm_env = NULL;
    accel_destroy(e->a);
    munmap(e->ram, DIFF_RAM_SIZE);
    free(e);
}

static bool has_error_code(int v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

int diff_run(struct diff_env *e, const struct diff_case *c, struct diff_result *r)
{
    struct cpu_state s;
    memset(r, 0, sizeof(*r));
    r->vector = -1;
    if (c->len > DIFF_CODE_MAX) {
        snprintf(r->err, sizeof(r->err), "code too long");
        return -1;
    }
    env_tables(e, c->mode);
    memset(e->ram + DIFF_SLED_GPA, 0xf4, DIFF_SLED_SIZE);
    memcpy(e->ram + DIFF_CODE_GPA, c->code, c->len);
    memcpy(e->ram + DIFF_DATA_GPA, c->data, DIFF_DATA_SIZE);
    memset(e->ram + KSTACK - 0x100, 0, 0x100);
    memset(e->ram + DIFF_RAM_SIZE - DIFF_TAIL_SIZE, DIFF_TAIL_FILL, DIFF_TAIL_SIZE);
    if (e->ops->flush_code)
        e->ops->flush_code(e->a, 0, DIFF_DATA_GPA + DIFF_DATA_SIZE);
    env_state(c, &s);
    if (e->ops->set_state(e->a, 0, &s) < 0) {
        snprintf(r->err, sizeof(r->err), "%s refused the initial state", e->ops->name);
        return -1;
    }
    e->stop = false;

    struct vcpu_exit ex;
    memset(&ex, 0, sizeof(ex));
    ex.budget = 200000;
    if (e->kvm) {
        struct itimerval it = {.it_value = {.tv_sec = 1}};
        setitimer(ITIMER_REAL, &it, NULL);
    }
    int ret = e->ops->vcpu_run(e->a, 0, &ex);
    if (e->kvm) {
        struct itimerval it = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &it, NULL);
    }
    if (ret < 0 || ex.reason == VCPU_EXIT_ERROR) {
        r->status = DIFF_ST_ERROR;
        snprintf(r->err, sizeof(r->err), "%s", ex.error[0] ? ex.error : "vcpu_run failed");
        return 0;
    }
    if (e->ops->get_state(e->a, 0, &s) < 0) {
        snprintf(r->err, sizeof(r->err), "%s: get_state failed", e->ops->name);
        return -1;
    }
    memcpy(r->gpr, s.gpr, sizeof(r->gpr));
    r->rip = s.rip;
    r->rflags = s.rflags;
    r->fpu = s.fpu;
    for (int k = 0; k < X86_NR_SREGS; k++) {
        r->sel[k] = s.seg[k].selector;
        r->sbase[k] = s.seg[k].base;
    }
    memcpy(r->data, e->ram + DIFF_DATA_GPA, DIFF_DATA_SIZE);
    memcpy(r->tail, e->ram + DIFF_RAM_SIZE - DIFF_TAIL_SIZE, DIFF_TAIL_SIZE);
    switch (ex.reason) {
    case VCPU_EXIT_KICK:
        r->status = DIFF_ST_TIMEOUT;
        return 0;
    case VCPU_EXIT_SHUTDOWN:
        r->status = DIFF_ST_SHUTDOWN;
        return 0;
    case VCPU_EXIT_HALT:
        if (c->mode == DIFF_REAL16 && s.rip - 1 >= DIFF_SLED_GPA &&
            s.rip - 1 < DIFF_SLED_GPA + DIFF_SLED_SIZE) {
            r->status = DIFF_ST_OK;
            r->rip = s.rip - 1;
            return 0;
        }
        r->status = DIFF_ST_ERROR;
        snprintf(r->err, sizeof(r->err), "halted at %#llx", (unsigned long long)s.rip);
        return 0;
    case VCPU_EXIT_STOP:
        break;
    default:
        r->status = DIFF_ST_ERROR;
        snprintf(r->err, sizeof(r->err), "unexpected exit %d", (int)ex.reason);
        return 0;
    }
    /* stopped in a stub: the out is done, RIP is past it */
    uint64_t at = s.rip - 2;
    if (at < STUB_GPA || at >= STUB_GPA + 4 * 256 || (at - STUB_GPA) % 4) {
        r->status = DIFF_ST_ERROR;
        snprintf(r->err, sizeof(r->err), "stopped outside a stub at %#llx",
                 (unsigned long long)s.rip);
        return 0;
    }
    int v = (int)((at - STUB_GPA) / 4);
    const uint8_t *ram = e->ram;
    if (c->mode == DIFF_REAL16) {
        uint32_t sp = (uint32_t)s.gpr[R_RSP] & 0xffff;
        if (sp > 0xfffa) {
            r->status = DIFF_ST_ERROR;
            snprintf(r->err, sizeof(r->err), "real-mode frame wraps");
            return 0;
        }
        r->rip = get16(ram + sp);
        r->rflags = get16(ram + sp + 4) | (s.rflags & ~0xffffull);
        r->gpr[R_RSP] = (s.gpr[R_RSP] & ~0xffffull) | ((sp + 6) & 0xffff);
        r->status = DIFF_ST_FAULT;
        r->vector = v;
        return 0;
    }
    unsigned w = 8;     /* 64-bit IDT in both long-mode submodes */
    uint64_t sp = s.gpr[R_RSP];
    uint64_t frame = 5 * w;
    if (sp != KSTACK - frame && sp != KSTACK - frame - w) {
        r->status = DIFF_ST_ERROR;
        snprintf(r->err, sizeof(r->err), "vector %d: kernel stack at %#llx", v,
                 (unsigned long long)sp);
        return 0;
    }
    const uint8_t *f = ram + sp;
    if (sp == KSTACK - frame - w) {
        r->has_error_code = true;
        r->error_code = get32(f);
        f += w;
    }
    if (r->has_error_code != has_error_code(v)) {
        r->status = DIFF_ST_ERROR;
        snprintf(r->err, sizeof(r->err), "vector %d: unexpected frame size", v);
        return 0;
    }
    r->rip = w == 8 ? get64(f) : get32(f);
    r->rflags = w == 8 ? get64(f + 2 * w) : get32(f + 2 * w);
    r->gpr[R_RSP] = w == 8 ? get64(f + 3 * w) : get32(f + 3 * w);
    r->sel[SEG_SS] = get16(f + 4 * w);
    r->sbase[SEG_SS] = 0;
    r->cr2 = v == 14 ? s.cr2 : 0;
    /* #GP(0) on a HLT of the sled: the sequence completed */
    if (v == 13 && r->error_code == 0 && r->rip >= DIFF_SLED_GPA &&
        r->rip < DIFF_SLED_GPA + DIFF_SLED_SIZE && r->rip != DIFF_CODE_GPA &&
        ram[r->rip] == 0xf4) {
        r->status = DIFF_ST_OK;
        r->has_error_code = false;
        return 0;
    }
    r->status = DIFF_ST_FAULT;
    r->vector = v;
    return 0;
}
