/*
 * exec_sse_cvt.c - SSE/SSE2 conversions (SDM vol. 2: CVTPI2PS, CVTPI2PD,
 * CVTSI2SS, CVTSI2SD, CVT(T)PS2PI, CVT(T)PD2PI, CVT(T)SS2SI, CVT(T)SD2SI,
 * CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS, CVTDQ2PS, CVT(T)PS2DQ,
 * CVT(T)PD2DQ, CVTDQ2PD), on the host SSE unit (cpu/sse_host.c), which
 * also supplies the integer indefinite value (80000000H / 8000...0H).
 *
 * Forms with an MMX operand (vol. 2 "Exceptions Type" 22-5/22-6 tables):
 * the SSE checks first, then the x87->MMX transition (TOP=0, tags valid,
 * #MF if an x87 exception is pending) for an mm destination always and
 * for an mm source (CVTPI2PS/CVTPI2PD with a register source only; a
 * memory source does not touch the x87 state).  The MMX conversions run
 * on the host as their XMM counterparts with zeroed spare lanes (which
 * raise no exception).
 */
#include "cpu/sse_host.h"

/* 8-byte source: xmm rm (low quadword) or m64; upper lanes zero */
static void read_q(struct vcpu *v, const struct insn *i, union x86_xmm *s, unsigned size)
{
    memset(s, 0, sizeof(*s));
    if (i->mod == 3)
        s->q[0] = xmm_reg(v, i->rm)->q[0] & size_mask(size);
    else
        s->q[0] = vm_read(v, i->seg, insn_ea(v, i), size);
}

/* ---- 0F 2A ---- */

static void cvtpi2p(struct vcpu *v, const struct insn *i, bool dbl)
{
    sse_enter(v);
    union x86_xmm s, d = *xmm_reg(v, i->reg);
    memset(&s, 0, sizeof(s));
    if (i->mod == 3) {
        mmx_enter(v);
        s.q[0] = mmx_get(v, i->rm);
    } else {
        s.q[0] = vm_read(v, i->seg, insn_ea(v, i), 8);
    }
    union x86_xmm r = d;
    uint32_t fl = sse_host_op(v, dbl ? SH_CVTDQ2PD : SH_CVTDQ2PS, &r, &s);
    sse_fp_report(v, fl);
    if (dbl)
        d = r;
    else
        d.q[0] = r.q[0];
    *xmm_reg(v, i->reg) = d;
}

void op_sse_cvtpi2ps(struct vcpu *v, const struct insn *i) { cvtpi2p(v, i, false); }
void op_sse_cvtpi2pd(struct vcpu *v, const struct insn *i) { cvtpi2p(v, i, true); }

static void cvtsi2s(struct vcpu *v, const struct insn *i, bool dbl)
{
    sse_enter(v);
    bool w64 = i->rex & 8;
    uint64_t val = rm_read(v, i, w64 ? 8 : 4);
    union x86_xmm d = *xmm_reg(v, i->reg);
    uint32_t fl = sse_host_cvtsi(v, dbl, w64, &d, val);
    sse_fp_report(v, fl);
    *xmm_reg(v, i->reg) = d;
}

void op_sse_cvtsi2ss(struct vcpu *v, const struct insn *i) { cvtsi2s(v, i, false); }
void op_sse_cvtsi2sd(struct vcpu *v, const struct insn *i) { cvtsi2s(v, i, true); }

/* ---- 0F 2C / 2D ---- */

static void cvtp2pi(struct vcpu *v, const struct insn *i, bool dbl, bool trunc)
{
    sse_enter(v);
    if (v->s.fpu.fsw & FSW_ES)   /* #MF comes before memory faults, the transition after */
        cpu_raise(v, EXC_MF, false, 0);
    union x86_xmm s;
    if (dbl)
        simd_read128(v, i, &s, true);
    else
        read_q(v, i, &s, 8);
    mmx_enter(v);
    union x86_xmm r;
    memset(&r, 0, sizeof(r));
    enum sse_hop op = dbl ? (trunc ? SH_CVTTPD2DQ : SH_CVTPD2DQ) : (trunc ? SH_CVTTPS2DQ : SH_CVTPS2DQ);
    uint32_t fl = sse_host_op(v, op, &r, &s);
    sse_fp_report(v, fl);
    mmx_set(v, i->reg, r.q[0]);
}

void op_sse_cvttps2pi(struct vcpu *v, const struct insn *i) { cvtp2pi(v, i, false, true); }
void op_sse_cvtps2pi(struct vcpu *v, const struct insn *i) { cvtp2pi(v, i, false, false); }
void op_sse_cvttpd2pi(struct vcpu *v, const struct insn *i) { cvtp2pi(v, i, true, true); }
void op_sse_cvtpd2pi(struct vcpu *v, const struct insn *i) { cvtp2pi(v, i, true, false); }

static void cvts2si(struct vcpu *v, const struct insn *i, bool dbl, bool trunc)
{
    sse_enter(v);
    bool w64 = i->rex & 8;
    union x86_xmm s;
    read_q(v, i, &s, dbl ? 8 : 4);
    uint64_t r = 0;
    uint32_t fl = sse_host_cvt2si(v, dbl, trunc, w64, &s, &r);
    sse_fp_report(v, fl);
    set_reg(v, i->reg, w64 ? 8 : 4, r);
}

void op_sse_cvttss2si(struct vcpu *v, const struct insn *i) { cvts2si(v, i, false, true); }
void op_sse_cvtss2si(struct vcpu *v, const struct insn *i) { cvts2si(v, i, false, false); }
void op_sse_cvttsd2si(struct vcpu *v, const struct insn *i) { cvts2si(v, i, true, true); }
void op_sse_cvtsd2si(struct vcpu *v, const struct insn *i) { cvts2si(v, i, true, false); }

/* ---- 0F 5A, 5B, E6 ---- */

void op_sse_cvtps2pd(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTPS2PD, 8, false); }
void op_sse_cvtpd2ps(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTPD2PS, 16, true); }
void op_sse_cvtss2sd(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTSS2SD, 4, false); }
void op_sse_cvtsd2ss(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTSD2SS, 8, false); }
void op_sse_cvtdq2ps(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTDQ2PS, 16, true); }
void op_sse_cvtps2dq(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTPS2DQ, 16, true); }
void op_sse_cvttps2dq(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTTPS2DQ, 16, true); }
void op_sse_cvttpd2dq(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTTPD2DQ, 16, true); }
void op_sse_cvtdq2pd(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTDQ2PD, 8, false); }
void op_sse_cvtpd2dq(struct vcpu *v, const struct insn *i) { sse_run(v, i, SH_CVTPD2DQ, 16, true); }
