/*
 * fpu_check.c - a userland workload for issue 4's evidence: built by the
 * host's gcc as a static binary, run once on the host and once inside a
 * Linux guest under vireo; the two outputs must be byte-identical.
 *
 * It exercises glibc's SSE2/SSE4.2 string functions (strlen, memchr,
 * strchr, memcmp, strstr, memcpy/memmove over many alignments and
 * lengths), printf of floating point (%a, %.17g, %e, %f of special and
 * ordinary values), libm (sin, cos, tan, exp, log, pow, sqrt, atan2,
 * cbrt, fma, lrint under every rounding mode), long double (x87) through
 * sinl/expl/powl and 80-bit printf, float <-> integer conversions, and
 * qsort of doubles.  Output is a text stream plus a final checksum line.
 * Not covered: threads, signals (the guest runs it from /init).
 */
#define _GNU_SOURCE
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t sum = 1469598103934665603ull;

static void mix(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t k = 0; k < n; k++) {
        sum ^= b[k];
        sum *= 1099511628211ull;
    }
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stdarg.h>
static void out(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0) {
        fputs(buf, stdout);
        mix(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    }
}

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void strings(void)
{
    static char buf[4096 + 64], dst[4096 + 64];
    for (size_t k = 0; k < sizeof(buf); k++)
        buf[k] = (char)('a' + rnd() % 26);
    uint64_t acc = 0;
    for (unsigned it = 0; it < 3000; it++) {
        size_t off = rnd() % 64, len = rnd() % 3000;
        char save = buf[off + len];
        buf[off + len] = 0;
        acc += strlen(buf + off);
        const char *c = strchr(buf + off, 'q');
        acc += c ? (size_t)(c - buf) : 7;
        const char *m = memchr(buf + off, 'z', len);
        acc += m ? (size_t)(m - buf) : 11;
        char needle[4] = {buf[off + len / 2], buf[off + len / 2 + 1], 0, 0};
        const char *s = len > 4 ? strstr(buf + off, needle) : NULL;
        acc += s ? (size_t)(s - buf) : 13;
        buf[off + len] = save;
        size_t doff = rnd() % 64;
        memcpy(dst + doff, buf + off, len);
        acc += (unsigned)memcmp(dst + doff, buf + off, len) == 0;
        memmove(dst + doff + 1, dst + doff, len);
        acc += (unsigned char)dst[doff + len / 2];
        acc += strncmp(dst + doff, buf + off, len / 3) == 0;
    }
    out("strings %llu\n", (unsigned long long)acc);
}

static const double specials[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 2.5, -2.5, 3.5, 1e300, -1e-300, DBL_MIN, DBL_MIN / 3,
    DBL_MAX, INFINITY, -INFINITY, NAN, 4.9e-324, 123456789.125, 0.5 + DBL_EPSILON, 1e16 + 1,
    2147483647.5, -2147483648.5, 9.2233720368547758e18,
};
#define NSPEC (sizeof(specials) / sizeof(specials[0]))

static void formatting(void)
{
    for (size_t k = 0; k < NSPEC; k++) {
        double d = specials[k];
        out("%a %.17g %e %.3f %g\n", d, d, d, d, d);
        float f = (float)d;
        out("f %a %.9g\n", (double)f, (double)f);
    }
}

static void math(void)
{
    static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    for (unsigned it = 0; it < 400; it++) {
        double x = (double)(int64_t)(rnd() % 2000000 - 1000000) / 997.0;
        double y = (double)(rnd() % 1000) / 313.0 + 0.01;
        out("%a %a %a %a %a %a %a %a %a\n", sin(x), cos(x), tan(x), exp(x / 1000), log(y),
            pow(y, x / 1e4), sqrt(y), atan2(x, y), cbrt(x));
        out("%a %.17g\n", fma(x, y, -x * y), hypot(x, y));
    }
    for (size_t m = 0; m < 4; m++) {
        fesetround(modes[m]);
        for (size_t k = 0; k < NSPEC; k++) {
            double d = specials[k];
            if (isfinite(d) && fabs(d) < 9e18)
                out("r%zu %ld %a %a %a\n", m, lrint(d), rint(d), nearbyint(d * 3.3), d / 7.0);
        }
        out("r%zu %a %a %a\n", m, 1.0 / 3.0 * 3.0, sqrt(2.0), (double)(float)(1.0 / 3.0));
    }
    fesetround(FE_TONEAREST);
    int flags = 0;
    feclearexcept(FE_ALL_EXCEPT);
    volatile double z = 0.0;
    volatile double r = 1.0 / z;
    flags = fetestexcept(FE_ALL_EXCEPT);
    out("divzero %g flags %#x\n", r, flags);
}

static void x87(void)
{
    long double a = 1.0L;
    for (unsigned it = 0; it < 200; it++) {
        long double x = (long double)(int64_t)(rnd() % 200000 - 100000) / 97.0L;
        a = a * 1.0001L + sinl(x) * cosl(x) - expl(x / 100000.0L);
        out("%.21Lg %La %.21Lg\n", a, sqrtl(fabsl(x)), powl(1.5L, x / 1000.0L));
    }
    long double third = 1.0L / 3.0L;
    out("ld %La %.25Lg %Lg\n", third, third * 3.0L, LDBL_MAX / 7.0L);
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void conversions(void)
{
    static double v[2000];
    for (size_t k = 0; k < 2000; k++)
        v[k] = (double)(int64_t)rnd() / (double)(rnd() | 1);
    qsort(v, 2000, sizeof(v[0]), cmpd);
    mix(v, sizeof(v));
    int64_t isum = 0;
    for (size_t k = 0; k < 2000; k++) {
        isum += (int64_t)(float)v[k];
        isum += (int32_t)(v[k] / 1e9);
        isum += (int64_t)llround(v[k] / 1e3);
    }
    out("conv %lld %a %a\n", (long long)isum, v[0], v[1999]);
}

int main(void)
{
    strings();
    formatting();
    math();
    x87();
    conversions();
    printf("checksum %016llx\n", (unsigned long long)sum);
    return 0;
}
