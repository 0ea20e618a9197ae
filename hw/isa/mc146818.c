/*
 * mc146818.c - Motorola MC146818A real-time clock plus RAM
 * ("mc146818-rtc"), as wired on the PC/AT: index port (bit 7 = NMI
 * disable, a PC latch in front of the chip) and data port.
 *
 * Spec: MC146818A datasheet (Motorola): "Address Map" (14 clock bytes,
 * 50/114 bytes of user RAM), Table 2 (time, calendar and alarm data
 * modes: BCD/binary, 12/24 hour with bit 7 = PM), Table 4 (divider DV2-0),
 * Table 5 (periodic interrupt rates; RS = 1 and 2 give 256 Hz and 128 Hz
 * on the 32.768 kHz time base), Table 6 (update cycle: UIP rises at least
 * tBUC = 244 us before the update cycle, which lasts tUC = 1984 us at
 * 32.768 kHz), registers A-D (IRQF = PF.PIE + AF.AIE + UF.UIE; flags are
 * set whatever the enables; reading C clears them; SET going high aborts
 * updates, clears UIP and clears UIE; RESET clears PIE, AIE, UIE, SQWE
 * and the C flags and touches nothing else), "Alarm" (11xxxxxx is a
 * don't-care code), "Divider": when DV leaves reset the first update
 * comes half a second later.
 *
 * Model: the guest time is a count of seconds (on the chip's calendar:
 * every year divisible by four is a leap year, 100-year cycles) valid at
 * one update instant, plus the number of updates since, which follow from
 * the virtual clock and the divider phase.  The host clock is read once,
 * at realize, when the "base" property is not given.  Time bytes read in
 * the current DM and 12/24 format; while SET = 1 they are plain bytes the
 * program writes, converted back (each field clamped to its range, so any
 * byte is safe) when SET is cleared.  A time byte written with SET = 0
 * restarts the count from the written value at once.  The flags are
 * computed lazily from the virtual clock; one vtimer is armed only for the
 * next event that can raise the IRQ (a periodic edge with PIE, an update
 * with UIE or AIE), so nothing ticks while interrupts are off.  The time
 * bytes change, UF is set and the alarm is compared at the end of the
 * update cycle; UIP reads 1 during the 2228 us before that instant.
 * Byte 0x32 is kept as the century (BCD or binary per DM) and advances
 * with the year, as PC chipset RTCs do (the plain MC146818A has only the
 * 2-digit year and treats byte 0x32 as RAM).
 *
 * Not implemented: daylight-saving updates (DSE is stored), the square
 * wave pin (SQWE stored), the 4.194304/1.048576 MHz time bases and test
 * modes (any DV other than 010 stops the clock and the divider; going back
 * to 010 restarts it with the first update 500 ms later), the garbage a
 * real chip returns while an update is in progress (the old time reads
 * back), keeping out-of-range values written with SET = 1 after SET is
 * cleared (they are clamped), and reading the index port (returns 0xff,
 * the AT's port 0x70 is write-only).  The NMI-disable latch and the index
 * are board logic outside the chip: RESET leaves them as they are.
 */
#include "hw/isa/mc146818.h"
#include "hw/devices.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hw/core/machine.h"
#include "util/log.h"

enum {
    R_SEC = 0x00, R_ASEC = 0x01, R_MIN = 0x02, R_AMIN = 0x03, R_HOUR = 0x04, R_AHOUR = 0x05,
    R_DOW = 0x06, R_DAY = 0x07, R_MON = 0x08, R_YEAR = 0x09,
    R_A = 0x0a, R_B = 0x0b, R_C = 0x0c, R_D = 0x0d,
    R_CENTURY = 0x32,
    CMOS_SIZE = 128,
};

#define A_UIP  0x80
#define A_DV   0x70
#define A_DV_32K 0x20    /* 010: 32.768 kHz time base, running */
#define A_RS   0x0f

#define B_SET  0x80
#define B_PIE  0x40
#define B_AIE  0x20
#define B_UIE  0x10
#define B_SQWE 0x08
#define B_DM   0x04      /* 1 = binary, 0 = BCD */
#define B_24H  0x02
#define B_DSE  0x01

#define C_IRQF 0x80
#define C_PF   0x40
#define C_AF   0x20
#define C_UF   0x10

#define D_VRT  0x80

#define NS_PER_SEC    1000000000LL
#define XTAL_HZ       32768LL
#define UIP_NS        (244000LL + 1984000LL)   /* tBUC + tUC */
#define SECS_PER_DAY  86400LL
#define DAYS_PER_CENTURY 36525LL                /* 25 leap years per 100 */
#define CHIP_DAY_1970 719543LL                  /* 1970-01-01 on the chip calendar */
#define CHIP_DAY_2000 730500LL                  /* 2000-01-01, a Saturday */
#define BASE_MAX      4102444799ull             /* 2099-12-31 23:59:59 UTC */
#define BASE_HOST     UINT64_MAX

struct mc146818 {
    struct device dev;
    uint32_t iobase;          /* property */
    uint64_t base;            /* property: Unix seconds, BASE_HOST = host date */

    uint8_t index;            /* 7-bit CMOS index */
    bool nmi_masked;          /* bit 7 of the last index write */
    /* User RAM, alarm bytes, A (without UIP) and B; the time bytes and
     * 0x32 only hold what the program writes while SET = 1. */
    uint8_t cmos[CMOS_SIZE];
    uint8_t flags;            /* C_PF | C_AF | C_UF, valid at sync_ns */

    bool running;             /* DV = 010 */
    int64_t origin;           /* divider phase: updates end at origin + k s */
    int64_t sync_ns;          /* flags are up to date until here */
    int64_t epoch_k;          /* update index at which ... */
    int64_t epoch_sec;        /* ... the time was this (chip seconds) */
    unsigned dow_adj;         /* day of week offset written by the program */

    struct vtimer timer;
    int irq_level;            /* -1 = unknown */
    bool io_registered;
};

struct rtc_tm {
    unsigned sec, min, hour, wday, mday, mon, year, century;
};

static const uint16_t days_before_month[13] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273,
                                                304, 334, 365 };

static unsigned month_days(unsigned mon, unsigned year)
{
    static const uint8_t len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return (mon == 2 && year % 4 == 0) ? 29 : len[mon - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Fields must be in range (see parse_raw). */
static int64_t tm_to_secs(const struct rtc_tm *tm)
{
    int64_t days = (int64_t)tm->century * DAYS_PER_CENTURY + (int64_t)tm->year * 365 +
                   (tm->year + 3) / 4 + days_before_month[tm->mon - 1] +
                   (tm->mon > 2 && tm->year % 4 == 0) + tm->mday - 1;

    return days * SECS_PER_DAY + tm->hour * 3600 + tm->min * 60 + tm->sec;
}

static unsigned weekday(int64_t days, unsigned adj)
{
    /* 1 = Sunday; CHIP_DAY_2000 is a Saturday (7). */
    int64_t d = (days - CHIP_DAY_2000) % 7;

    return (unsigned)((d + 7 + 6 + adj) % 7) + 1;
}

static void secs_to_tm(int64_t t, unsigned dow_adj, struct rtc_tm *tm)
{
    int64_t days, r, q, r4;
    unsigned doy, sod;
    bool leap;

    if (t < 0)
        t = 0;
    days = t / SECS_PER_DAY;
    sod = (unsigned)(t % SECS_PER_DAY);
    tm->hour = sod / 3600;
    tm->min = sod / 60 % 60;
    tm->sec = sod % 60;
    tm->wday = weekday(days, dow_adj);
    tm->century = (unsigned)(days / DAYS_PER_CENTURY % 100);
    r = days % DAYS_PER_CENTURY;
    q = r / 1461;                     /* 4-year groups, the first year leap */
    r4 = r % 1461;
    if (r4 < 366) {
        tm->year = (unsigned)(4 * q);
        doy = (unsigned)r4;
    } else {
        tm->year = (unsigned)(4 * q + 1 + (r4 - 366) / 365);
        doy = (unsigned)((r4 - 366) % 365);
    }
    leap = tm->year % 4 == 0;
    tm->mon = 1;
    while (tm->mon < 12 && doy >= days_before_month[tm->mon] + (unsigned)(leap && tm->mon >= 2))
        tm->mon++;
    tm->mday = doy - days_before_month[tm->mon - 1] - (unsigned)(leap && tm->mon > 2) + 1;
}

static bool binary_mode(const struct mc146818 *s)
{
    return s->cmos[R_B] & B_DM;
}

static uint8_t enc(const struct mc146818 *s, unsigned v)
{
    return binary_mode(s) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned dec(const struct mc146818 *s, uint8_t b)
{
    return binary_mode(s) ? b : (unsigned)(b >> 4) * 10 + (b & 15);
}

static uint8_t enc_hour(const struct mc146818 *s, unsigned h)
{
    unsigned h12;

    if (s->cmos[R_B] & B_24H)
        return enc(s, h);
    h12 = h % 12 ? h % 12 : 12;
    return enc(s, h12) | (h >= 12 ? 0x80 : 0);
}

static unsigned dec_hour(const struct mc146818 *s, uint8_t b)
{
    unsigned h;

    if (s->cmos[R_B] & B_24H) {
        h = dec(s, b);
        return h > 23 ? 23 : h;
    }
    /* 12 AM = 0, 12 PM = 12; h % 12 keeps any value in 0..11. */
    return dec(s, b & 0x7f) % 12 + ((b & 0x80) ? 12 : 0);
}

static bool is_time_reg(unsigned idx)
{
    return idx == R_SEC || idx == R_MIN || idx == R_HOUR || (idx >= R_DOW && idx <= R_YEAR) ||
           idx == R_CENTURY;
}

static uint8_t tm_byte(const struct mc146818 *s, const struct rtc_tm *tm, unsigned idx)
{
    switch (idx) {
    case R_SEC: return enc(s, tm->sec);
    case R_MIN: return enc(s, tm->min);
    case R_HOUR: return enc_hour(s, tm->hour);
    case R_DOW: return enc(s, tm->wday);
    case R_DAY: return enc(s, tm->mday);
    case R_MON: return enc(s, tm->mon);
    case R_YEAR: return enc(s, tm->year);
    default: return enc(s, tm->century);
    }
}

static int64_t now_ns(const struct mc146818 *s)
{
    return (int64_t)vclock_now(&s->dev.machine->clock);
}

/* Index of the last update that ended at or before T. */
static int64_t update_index(const struct mc146818 *s, int64_t t)
{
    return floor_div(t - s->origin, NS_PER_SEC);
}

/* 32.768 kHz divider ticks since the origin (T >= origin). */
static int64_t ticks(const struct mc146818 *s, int64_t t)
{
    int64_t d = t - s->origin;

    if (d < 0)
        return 0;
    return d / NS_PER_SEC * XTAL_HZ + d % NS_PER_SEC * XTAL_HZ / NS_PER_SEC;
}

/* Periodic rate in divider ticks (Table 5, 32.768 kHz column). */
static int64_t period_ticks(unsigned rs)
{
    if (rs == 1)
        return 128;                   /* 256 Hz */
    if (rs == 2)
        return 256;                   /* 128 Hz */
    return 1ll << (rs - 1);           /* 3 -> 8192 Hz ... 15 -> 2 Hz */
}

static int64_t tick_time(const struct mc146818 *s, int64_t tk)
{
    int64_t frac = tk % XTAL_HZ * NS_PER_SEC;

    return s->origin + tk / XTAL_HZ * NS_PER_SEC + (frac + XTAL_HZ - 1) / XTAL_HZ;
}

/* Current time in chip seconds (SET = 0). */
static int64_t cur_secs(const struct mc146818 *s, int64_t now)
{
    if (!s->running)
        return s->epoch_sec;
    return s->epoch_sec + (update_index(s, now) - s->epoch_k);
}

static bool alarm_match(const struct mc146818 *s, int64_t t)
{
    unsigned sod = (unsigned)(t % SECS_PER_DAY);
    uint8_t cur[3] = { enc(s, sod % 60), enc(s, sod / 60 % 60), enc_hour(s, sod / 3600) };
    static const unsigned alarm_reg[3] = { R_ASEC, R_AMIN, R_AHOUR };

    for (int i = 0; i < 3; i++) {
        uint8_t a = s->cmos[alarm_reg[i]];

        if ((a & 0xc0) != 0xc0 && a != cur[i])
            return false;
    }
    return true;
}

/* Bring PF/AF/UF up to NOW.  Between two calls nothing but time changes. */
static void rtc_sync(struct mc146818 *s, int64_t now)
{
    int64_t t0 = s->sync_ns;
    unsigned rs = s->cmos[R_A] & A_RS;

    if (now <= t0)
        return;
    s->sync_ns = now;
    if (!s->running)
        return;
    if (rs && !(s->flags & C_PF)) {
        int64_t p = period_ticks(rs);

        if (ticks(s, now) / p > ticks(s, t0) / p)
            s->flags |= C_PF;
    }
    if (!(s->cmos[R_B] & B_SET)) {
        int64_t n0 = update_index(s, t0), n1 = update_index(s, now);

        if (n1 > n0) {
            s->flags |= C_UF;
            /* The last day of updates covers every time of day, so at
             * most 86400 comparisons whatever the gap. */
            for (int64_t k = n1 - n0 > SECS_PER_DAY ? n1 - SECS_PER_DAY + 1 : n0 + 1;
                 k <= n1 && !(s->flags & C_AF); k++) {
                if (alarm_match(s, s->epoch_sec + (k - s->epoch_k)))
                    s->flags |= C_AF;
            }
        }
    }
}

static bool irqf(const struct mc146818 *s)
{
    uint8_t b = s->cmos[R_B];

    return ((s->flags & C_PF) && (b & B_PIE)) || ((s->flags & C_AF) && (b & B_AIE)) ||
           ((s->flags & C_UF) && (b & B_UIE));
}

static void rtc_update_irq(struct mc146818 *s)
{
    int level = irqf(s);

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->dev.irq[0], level);
    }
}

/* Arm the timer for the next event that would raise IRQ, if any. */
static void rtc_rearm(struct mc146818 *s, int64_t now)
{
    uint8_t b = s->cmos[R_B];
    unsigned rs = s->cmos[R_A] & A_RS;
    int64_t next = INT64_MAX;

    if (s->running) {
        if ((b & B_PIE) && rs && !(s->flags & C_PF)) {
            int64_t p = period_ticks(rs);

            next = tick_time(s, (ticks(s, now) / p + 1) * p);
        }
        if (!(b & B_SET) && (((b & B_UIE) && !(s->flags & C_UF)) ||
                             ((b & B_AIE) && !(s->flags & C_AF)))) {
            int64_t upd = s->origin + (update_index(s, now) + 1) * NS_PER_SEC;

            if (upd < next)
                next = upd;
        }
    }
    if (next == INT64_MAX || next < 0)
        vtimer_del(&s->timer);
    else
        vtimer_mod(&s->timer, (uint64_t)next);
}

static void rtc_timer_cb(void *opaque)
{
    struct mc146818 *s = opaque;
    int64_t now = now_ns(s);

    rtc_sync(s, now);
    rtc_update_irq(s);
    rtc_rearm(s, now);
}

/* Copy the current time into the time bytes, in the current format. */
static void snapshot(struct mc146818 *s, int64_t now)
{
    static const unsigned regs[] = { R_SEC, R_MIN, R_HOUR, R_DOW, R_DAY, R_MON, R_YEAR, R_CENTURY };
    struct rtc_tm tm;

    secs_to_tm(cur_secs(s, now), s->dow_adj, &tm);
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        s->cmos[regs[i]] = tm_byte(s, &tm, regs[i]);
}

/* Restart the count from the time bytes; every field is clamped. */
static void rebase(struct mc146818 *s, int64_t now)
{
    struct rtc_tm tm;
    unsigned v, w0;

    v = dec(s, s->cmos[R_SEC]);
    tm.sec = v > 59 ? 59 : v;
    v = dec(s, s->cmos[R_MIN]);
    tm.min = v > 59 ? 59 : v;
    tm.hour = dec_hour(s, s->cmos[R_HOUR]);
    v = dec(s, s->cmos[R_YEAR]);
    tm.year = v > 99 ? 99 : v;
    v = dec(s, s->cmos[R_CENTURY]);
    tm.century = v > 99 ? 99 : v;
    v = dec(s, s->cmos[R_MON]);
    tm.mon = v < 1 ? 1 : v > 12 ? 12 : v;
    v = dec(s, s->cmos[R_DAY]);
    tm.mday = v < 1 ? 1 : v > month_days(tm.mon, tm.year) ? month_days(tm.mon, tm.year) : v;
    v = dec(s, s->cmos[R_DOW]);
    tm.wday = v < 1 ? 1 : v > 7 ? 7 : v;

    s->epoch_sec = tm_to_secs(&tm);
    w0 = weekday(s->epoch_sec / SECS_PER_DAY, 0);
    s->dow_adj = (tm.wday + 7 - w0) % 7;
    s->epoch_k = s->running ? update_index(s, now) : 0;
}

static void set_running(struct mc146818 *s, int64_t now, bool on)
{
    if (on == s->running)
        return;
    if (on) {
        /* Leaving divider reset: the first update ends 500 ms later. */
        s->origin = now - NS_PER_SEC / 2;
        s->epoch_k = 0;
        s->running = true;
    } else {
        if (!(s->cmos[R_B] & B_SET))
            s->epoch_sec = cur_secs(s, now);
        s->running = false;
    }
}

static bool uip(const struct mc146818 *s, int64_t now)
{
    int64_t into;

    if (!s->running || (s->cmos[R_B] & B_SET))
        return false;
    into = (now - s->origin) % NS_PER_SEC;
    if (into < 0)
        into += NS_PER_SEC;
    return into != 0 && NS_PER_SEC - into <= UIP_NS;
}

static uint8_t rtc_read_reg(struct mc146818 *s, unsigned idx)
{
    int64_t now = now_ns(s);
    struct rtc_tm tm;
    uint8_t v;

    rtc_sync(s, now);
    switch (idx) {
    case R_A:
        return s->cmos[R_A] | (uip(s, now) ? A_UIP : 0);
    case R_C:
        v = s->flags | (irqf(s) ? C_IRQF : 0);
        s->flags = 0;
        rtc_update_irq(s);
        rtc_rearm(s, now);
        return v;
    case R_D:
        return D_VRT;
    default:
        if (is_time_reg(idx) && !(s->cmos[R_B] & B_SET)) {
            secs_to_tm(cur_secs(s, now), s->dow_adj, &tm);
            return tm_byte(s, &tm, idx);
        }
        return s->cmos[idx];
    }
}

static void rtc_write_reg(struct mc146818 *s, unsigned idx, uint8_t v)
{
    int64_t now = now_ns(s);
    uint8_t old = s->cmos[idx];

    rtc_sync(s, now);
    switch (idx) {
    case R_A:
        s->cmos[R_A] = v & ~A_UIP;    /* UIP is read-only */
        set_running(s, now, (v & A_DV) == A_DV_32K);
        break;
    case R_B:
        s->cmos[R_B] = v;
        if (!(old & B_SET) && (v & B_SET)) {
            s->cmos[R_B] &= ~B_UIE;   /* SET going high clears UIE */
            snapshot(s, now);
        } else if ((old & B_SET) && !(v & B_SET)) {
            rebase(s, now);
        }
        break;
    case R_C:
    case R_D:
        vlog(LOG_GUEST_ERROR, "mc146818-rtc: write 0x%02x to read-only register %c\n", v,
             idx == R_C ? 'C' : 'D');
        return;
    default:
        if (is_time_reg(idx) && !(s->cmos[R_B] & B_SET)) {
            snapshot(s, now);
            s->cmos[idx] = v;
            rebase(s, now);
        } else {
            s->cmos[idx] = v;
        }
        break;
    }
    rtc_update_irq(s);
    rtc_rearm(s, now);
}

static uint64_t rtc_io_read(void *opaque, uint64_t offset, unsigned size)
{
    struct mc146818 *s = opaque;

    if (offset == 0)
        return 0xff;                  /* index port is write-only */
    return rtc_read_reg(s, s->index);
}

static void rtc_io_write(void *opaque, uint64_t offset, uint64_t val, unsigned size)
{
    struct mc146818 *s = opaque;

    if (offset == 0) {
        s->index = val & 0x7f;
        s->nmi_masked = (val & 0x80) != 0;
        return;
    }
    rtc_write_reg(s, s->index, (uint8_t)val);
}

static const struct io_ops rtc_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .max_access = 1,
};

bool mc146818_nmi_masked(void *rtc)
{
    return ((struct mc146818 *)rtc)->nmi_masked;
}

void mc146818_set_cmos(void *rtc, unsigned index, uint8_t v)
{
    struct mc146818 *s = rtc;

    index &= 0x7f;
    if (index <= R_D || index == R_CENTURY)
        return;
    s->cmos[index] = v;
}

uint8_t mc146818_get_cmos(void *rtc, unsigned index)
{
    struct mc146818 *s = rtc;

    index &= 0x7f;
    if (index == R_C) {               /* a peek: does not clear the flags */
        rtc_sync(s, now_ns(s));
        return s->flags | (irqf(s) ? C_IRQF : 0);
    }
    return rtc_read_reg(s, index);
}

void mc146818_update_checksum(void *rtc)
{
    struct mc146818 *s = rtc;
    unsigned sum = 0;

    for (unsigned i = 0x10; i <= 0x2d; i++)
        sum += s->cmos[i];
    s->cmos[0x2e] = (uint8_t)(sum >> 8);
    s->cmos[0x2f] = (uint8_t)sum;
}

void mc146818_set_memory(void *rtc, uint64_t below_4g, uint64_t above_4g)
{
    struct mc146818 *s = rtc;
    uint64_t ext = below_4g > (1u << 20) ? (below_4g - (1u << 20)) / 1024 : 0;
    uint64_t ext16 = below_4g > (16u << 20) ? (below_4g - (16u << 20)) / 65536 : 0;
    uint64_t high = above_4g / 65536;

    if (ext > 0xffff)
        ext = 0xffff;
    if (ext16 > 0xffff)
        ext16 = 0xffff;
    if (high > 0xffffff)
        high = 0xffffff;
    s->cmos[0x15] = 640 & 0xff;
    s->cmos[0x16] = 640 >> 8;
    s->cmos[0x17] = s->cmos[0x30] = (uint8_t)ext;
    s->cmos[0x18] = s->cmos[0x31] = (uint8_t)(ext >> 8);
    s->cmos[0x34] = (uint8_t)ext16;
    s->cmos[0x35] = (uint8_t)(ext16 >> 8);
    s->cmos[0x5b] = (uint8_t)high;
    s->cmos[0x5c] = (uint8_t)(high >> 8);
    s->cmos[0x5d] = (uint8_t)(high >> 16);
    mc146818_update_checksum(s);
}

static void rtc_reset(struct device *dev)
{
    struct mc146818 *s = (struct mc146818 *)dev;
    int64_t now = now_ns(s);

    /* RESET pin: only the enables, SQWE and the flags; the time, the
     * divider, SET, DM, 24/12, DSE and the RAM are untouched. */
    rtc_sync(s, now);
    s->cmos[R_B] &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
    s->flags = 0;
    s->irq_level = -1;
    rtc_update_irq(s);
    rtc_rearm(s, now);
}

static int rtc_realize(struct device *dev, char *err, size_t errlen)
{
    struct mc146818 *s = (struct mc146818 *)dev;
    struct machine *m = dev->machine;
    uint64_t base = s->base;
    int rc;

    if (s->iobase > 0x10000 - 2) {
        snprintf(err, errlen, "mc146818-rtc: iobase 0x%x leaves the I/O port space", s->iobase);
        return -EINVAL;
    }
    if (base == BASE_HOST) {
        time_t t = time(NULL);      /* the one wall-clock read: the start date */

        base = t < 0 ? 0 : (uint64_t)t > BASE_MAX ? BASE_MAX : (uint64_t)t;
    } else if (base > BASE_MAX) {
        snprintf(err, errlen,
                 "mc146818-rtc: base %llu is after 2099-12-31 23:59:59 UTC (4102444799)",
                 (unsigned long long)base);
        return -EINVAL;
    }
    /* Power-on (battery) state: 32.768 kHz running, 1024 Hz rate, 24-hour
     * BCD, valid RAM and time. */
    s->cmos[R_A] = A_DV_32K | 0x06;
    s->cmos[R_B] = B_24H;
    s->running = true;
    s->origin = now_ns(s);
    s->sync_ns = s->origin;
    s->epoch_k = 0;
    s->epoch_sec = (int64_t)(CHIP_DAY_1970 * SECS_PER_DAY + base);
    s->dow_adj = 0;
    vtimer_init(&s->timer, &m->clock, rtc_timer_cb, s);
    rc = as_add_io(&m->io, s->iobase, 2, &rtc_ops, s, "mc146818-rtc");
    if (rc < 0) {
        snprintf(err, errlen, "mc146818-rtc: cannot claim I/O ports 0x%x-0x%x%s", s->iobase,
                 s->iobase + 1, rc == -EEXIST ? " (already in use)" : "");
        return rc;
    }
    s->io_registered = true;
    s->irq_level = -1;
    return 0;
}

static void rtc_unrealize(struct device *dev)
{
    struct mc146818 *s = (struct mc146818 *)dev;

    vtimer_del(&s->timer);
    if (s->io_registered)
        as_remove(&dev->machine->io, s->iobase);
    s->io_registered = false;
}

static const struct prop_desc rtc_props[] = {
    { "iobase", PROP_U32, offsetof(struct mc146818, iobase), "0x70",
      "index port (data port follows)" },
    { "base", PROP_U64, offsetof(struct mc146818, base), "0xffffffffffffffff",
      "start date, seconds since 1970-01-01 UTC (default: host date at start)" },
    { NULL, PROP_U32, 0, NULL, NULL },
};

const struct device_desc mc146818_desc = {
    .name = "mc146818-rtc",
    .help = "MC146818A real-time clock with 128 bytes of CMOS RAM",
    .state_size = sizeof(struct mc146818),
    .props = rtc_props,
    .user_creatable = false,
    .realize = rtc_realize,
    .reset = rtc_reset,
    .unrealize = rtc_unrealize,
};
