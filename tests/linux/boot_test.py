#!/usr/bin/env python3
"""boot_test.py - boot the Debian guest under an emulator and drive its shell.

Usage:
  boot_test.py [options] -- EMULATOR [ARGS...]
  boot_test.py -- build/vireo -accel tcg
  boot_test.py -- qemu-system-x86_64 -accel tcg

What it does: obtains the guest with tests/linux/fetch-guest.sh (cached;
exit 77, CTest "skipped", only when that fetch is impossible, e.g. no
network and no cache), then runs EMULATOR ARGS plus the same arguments for
every emulator (-m 256 -nographic -no-reboot -smp 1 -kernel -initrd
-append "console=ttyS0 panic=-1") with the serial console on pipes, waits
for "vireo-init: ready" and the shell prompt "vireo-sh# ", and checks:

  uname -r        equals the cached kernel's version (CACHE/kernel-version);
  date +%s        within --date-tolerance seconds of host time;
  sleep 1         1 s give or take: wall time between the command's
                  markers on the host and /proc/uptime in the guest, both
                  within --sleep-range (default 0.5-3 s);
  dmesg           none of the COMPLAINTS below;
  userland        busybox commands (USERLAND below) whose output and exit
                  status must be byte-identical to the same busybox binary
                  (the initramfs's, a static x86-64 program) run on the
                  host: the host CPU is the oracle;
  fpu_check       with --fpu-check BIN: the static program BIN
                  (tests/linux/fpu_check.c: glibc strings, printf of
                  floating point, libm, long double) gives the same
                  output in the guest as on the host;
  poweroff -f     the emulator exits with status 0;
  reboot -f       (second boot, case "reboot") under -no-reboot the
                  emulator exits, with status 0 as QEMU does.

Failures of single checks are all reported; a guest that dies or stops
answering ends the run at once with the last serial output. When a vireo
binary exits before the shell comes up (a triple fault or reset under
-no-reboot exits silently with status 0), the run is repeated once with
"-d int,unimp" and the tail of that log shows why.

What it does not do: assert speed (timeouts are generous and only guard
against hangs), test networking or disks, or run more than one vCPU.
Exit status: 0 passed, 1 failed, 77 skipped (no guest obtainable, or the
emulator binary is missing). tests/bench/bench.py imports this file for
its Guest class.
"""
import argparse
import fcntl
import hashlib
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FETCH = os.path.join(HERE, "fetch-guest.sh")
READY = b"vireo-init: ready"
PROMPT = b"vireo-sh# "
APPEND = "console=ttyS0 panic=-1"

# dmesg lines that mean the platform (vireo's devices, timers, ACPI tables,
# CPU model) upset the kernel.  One list, regular expressions, case-sensitive.
COMPLAINTS = [
    r"nobody cared",                          # an IRQ line stuck high
    r"TSC calibration.*fail|Fast TSC calibration failed",
    r"[Cc]locksource.*unstable",              # the clocksource watchdog
    r"ACPI Error", r"ACPI BIOS Error", r"ACPI Warning",
    r"Call Trace",
    r"\bBUG[: ]",                             # BUG:, BUG at
    r"\bWARNING:",                            # WARN_ON splats
    r"Oops", r"Kernel panic", r"soft lockup", r"hung_task", r"rcu.*stall",
    r"spurious 8259A interrupt", r"APIC.*error", r"IO-APIC.*not connected",
    r"MP-BIOS bug", r"timer doesn't work", r"Unknown NMI",
]
# Printed as notes but not failures: QEMU TCG itself gets these on a busy
# host (the PIT reference loop is timing-sensitive; the kernel falls back
# to the HPET, which is fine).
TOLERATED = [r"Unable to calibrate against PIT"]

# Busybox userland: (name, command line).  Each runs in the guest and on the
# host (same busybox binary) and must give the same bytes and status.  One
# line each (the driver wraps them in markers on one line).
USERLAND = [
    ("sha256sum", "echo 'vireo: the quick brown fox jumps over the lazy dog' | sha256sum"),
    ("sort", "seq 1 2000 | sort -r | md5sum"),
    ("awk-float", "awk 'BEGIN{printf \"%.6f\\n\", 3.14159*2.5/7}'"),
    # (this busybox's awk has no libm: no ^, sqrt, sin ...; plain double
    # arithmetic, overflow to inf, conversions and printf formats)
    ("awk-double", "awk 'BEGIN{s=0; for(i=1;i<=2000;i++) s+=1/i; x=1; for(i=1;i<=30;i++) x*=1.7;"
                   " printf \"%.15g %.6e %d %s %s\\n\", s, x, int(-7.5), 1e300*1e10, 2/3}'"),
    ("printf-sort-g", "printf '%.4f %e %g %.0f\\n' 3.14159 1e-5 2.5e10 2.5;"
                      " printf '1.5e3\\n-2\\n0x10\\n3.25\\n' | sort -g | xargs echo"),
    ("gzip", "yes 'the quick brown fox' | head -c 200000 | gzip -9 -c | md5sum"),
    ("gzip-roundtrip", "seq 1 30000 | gzip -1 -c | gunzip -c | sha1sum"),
    ("bzip2", "seq 1 5000 | bzip2 -c | md5sum"),
    ("sha3-512", "seq 1 5000 | sha3sum -a 512 | cut -c1-64; seq 1 5000 | sha512sum"),
    ("bc", "echo '2^200 + 3*7; scale=20; 4*a(1)' | bc -l"),
    ("factor", "factor 600851475143 1234567891011 4294967291 18446744073709551615"),
    ("shell-arith", "echo $((123456789*987654321 % 1000000007)) $((1<<62)) $((-17/5)) $((-17%5))"),
    ("sed-tr", "seq 1 100 | sed -n 's/\\(.\\)7$/<\\1>/p' | tr '<>0-9' '[]a-j' | xargs echo"),
]


VECTORS = {0: "#DE divide error", 6: "#UD invalid opcode", 7: "#NM no FPU",
           8: "#DF double fault", 13: "#GP general protection", 14: "#PF page fault",
           16: "#MF x87 error", 19: "#XM SIMD error"}


class GuestDied(Exception):
    pass


class GuestTimeout(Exception):
    pass


def default_cache():
    return os.path.join(os.environ.get("VIREO_CACHE") or
                        os.path.join(os.path.expanduser("~"), ".cache", "vireo"), "linux")


# Kernel flavours: the Debian meta-package and the cache folder suffix.
FLAVOURS = {"cloud": ("linux-image-cloud-amd64", ""), "generic": ("linux-image-amd64", "-generic")}


def fetch_guest(cache, flavour="cloud"):
    """Run fetch-guest.sh under a lock; return (vmlinuz, initrd) or None."""
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    env = dict(os.environ, VIREO_KERNEL_META=FLAVOURS[flavour][0])
    with open(cache + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # two tests fetching at once
        p = subprocess.run([FETCH, cache], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    err = p.stderr.decode(errors="replace")
    paths = p.stdout.decode().split()
    if p.returncode != 0 or len(paths) != 2:
        sys.stderr.write(err)
        return None
    return paths[0], paths[1]


def guest_args(kernel, initrd, append=APPEND):
    return ["-m", "256", "-nographic", "-no-reboot", "-smp", "1",
            "-kernel", kernel, "-initrd", initrd, "-append", append]


class Guest:
    """An emulator process whose serial console is on our pipes."""

    def __init__(self, argv, log=None):
        self.argv = argv
        self.err = tempfile.TemporaryFile()
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err)
        self.buf = b""
        self.times = []       # (end offset of a chunk in buf, arrival time)
        self.pos = 0          # expect() searches from here
        self.log = open(log, "wb") if log else None
        self.status = None    # exit status once reaped
        self.rss_kb = 0       # peak RSS of the emulator, once reaped
        self.nmark = 0

    def elapsed(self):
        return time.monotonic() - self.t0

    def _read(self, timeout):
        """Read what is there within TIMEOUT; False when the process is gone."""
        fd = self.p.stdout.fileno()
        r, _, _ = select.select([fd], [], [], max(0, timeout))
        if not r:
            return self._alive()
        chunk = os.read(fd, 65536)
        if not chunk:
            self._reap(0)
            return False
        self.buf += chunk
        self.times.append((len(self.buf), time.monotonic()))
        if self.log:
            self.log.write(chunk)
            self.log.flush()
        return True

    def _reap(self, flags):
        """wait4() (for the peak RSS); True once the process is reaped."""
        if self.status is None:
            pid, st, ru = os.wait4(self.p.pid, flags)
            if pid == 0:
                return False
            self.status = os.waitstatus_to_exitcode(st)
            self.p.returncode = self.status
            self.rss_kb = ru.ru_maxrss
        return True

    def _alive(self):
        return not self._reap(os.WNOHANG)

    def arrival(self, offset):
        """Host time at which byte OFFSET of the output arrived."""
        for end, t in self.times:
            if end > offset:
                return t
        return time.monotonic()

    def expect(self, pattern, timeout, what=None):
        """Wait for regex PATTERN (bytes) after the last match; return the match."""
        rx = re.compile(pattern, re.S)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestTimeout("no %s within %.0f s" % (what or pattern, timeout))
            if not self._read(min(left, 1.0)):
                self._reap(0)
                while self._read(0):     # drain what is left
                    pass
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                raise GuestDied("the emulator exited with status %d while waiting for %s"
                                % (self.status, what or pattern))

    def send(self, text):
        try:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()
        except BrokenPipeError:
            pass   # the next expect() reports the death

    def run(self, cmd, timeout):
        """Run one shell line; return (output, status, host seconds between markers)."""
        self.nmark += 1
        n = self.nmark
        # printf's format keeps the marker out of any echo of the line itself.
        self.send("printf '<<%%s>>\\n' B%d; %s; printf '<<%%s %%d>>\\n' E%d $?\n" % (n, cmd, n))
        mb = self.expect(rb"<<B%d>>\r?\n" % n, timeout, "the start of '%s'" % cmd)
        me = self.expect(rb"<<E%d (\d+)>>" % n, timeout, "the end of '%s'" % cmd)
        out = self.buf[mb.end():me.start()].replace(b"\r\n", b"\n")
        secs = self.arrival(me.start()) - self.arrival(mb.start())
        return out, int(me.group(1)), secs

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while self.status is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestTimeout("the emulator did not exit within %.0f s" % timeout)
            self._read(min(left, 1.0))
            if self.status is None and not self._alive():
                while self._read(0):
                    pass
        return self.status

    def boot_to_shell(self, boot_timeout, cmd_timeout):
        """Wait for the init marker and the prompt; quiet the console; return
        (host seconds to the marker, guest uptime at the marker or None)."""
        m = self.expect(rb"(?:vireo-init: uptime ([0-9.]+)\r?\n)?" + READY, boot_timeout,
                        "'vireo-init: ready'")
        t_ready = self.arrival(m.end() - 1) - self.t0
        uptime = float(m.group(1)) if m.group(1) else None
        try:
            self.expect(re.escape(PROMPT), min(cmd_timeout, 120), "the shell prompt")
        except GuestTimeout:
            # A kernel message may have landed inside the prompt: the marked
            # command below still tells whether the shell answers.
            print("note: no clean prompt seen; trying the shell anyway", flush=True)
        # No echo (busybox's line editing turns itself off too), and kernel
        # messages off the console so they cannot land inside an output.
        self.send("stty -echo; dmesg -n 1\n")
        self.run(":", cmd_timeout)
        return t_ready, uptime

    def tail(self, n=3000):
        return self.buf[-n:].decode(errors="replace")

    def stderr_text(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def close(self):
        if self._alive():
            self.p.kill()
        self._reap(0)
        for f in (self.p.stdin, self.p.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.err.close()
        if self.log:
            self.log.close()


class HostBusybox:
    """The initramfs's busybox run on the host, applets by symlink."""

    def __init__(self, cache):
        self.bin = os.path.join(cache, "initramfs", "bin", "busybox")
        if not os.access(self.bin, os.X_OK):
            self.bin = shutil.which("busybox")
        if not self.bin:
            raise RuntimeError("no busybox for the host truth (run fetch-guest.sh)")
        self.dir = tempfile.mkdtemp(prefix="vireo-busybox-")
        names = subprocess.run([self.bin, "--list"], stdout=subprocess.PIPE,
                               check=True).stdout.decode().split()
        for a in names:
            os.symlink(self.bin, os.path.join(self.dir, a))

    def run(self, cmd):
        env = {"PATH": self.dir, "HOME": "/root", "LC_ALL": "C"}
        p = subprocess.run([os.path.join(self.dir, "sh"), "-c", cmd], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd="/")
        return p.stdout, p.returncode

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def say(msg):
    print(msg, flush=True)


# CPU features of the host's glibc ifunc selection that vireo's CPUID
# profile lacks (x86-64-v2): libm picks e.g. an FMA variant of sin() by
# them, whose last bit may differ, so the host truth of fpu_check runs
# with them masked, like the guest's glibc sees its CPU.
HOST_HWCAPS_OFF = ("AVX", "AVX2", "FMA", "FMA4", "AVX512F", "AVX512VL", "AVX512BW",
                   "AVX512DQ", "AVX512CD", "BMI1", "BMI2", "ERMS", "FSRM", "RTM", "AVX_VNNI")


def fpu_check_truth(binary):
    env = dict(os.environ, GLIBC_TUNABLES="glibc.cpu.hwcaps=" +
               ",".join("-" + f for f in HOST_HWCAPS_OFF))
    out = subprocess.run([binary], stdout=subprocess.PIPE, check=True, env=env).stdout
    return out


def with_extra_file(initrd, binary, name):
    """A temporary initrd: INITRD followed by an archive holding BINARY as
    /NAME (the kernel unpacks concatenated archives)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import cpio_newc
    fd, extra = tempfile.mkstemp(prefix="vireo-extra-", suffix=".gz")
    os.close(fd)
    with open(binary, "rb") as f:
        cpio_newc.write_entries(extra, [(name, 0o755, f.read())])
    fd, both = tempfile.mkstemp(prefix="vireo-initrd-", suffix=".gz")
    with os.fdopen(fd, "wb") as out:
        for part in (initrd, extra):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
    os.unlink(extra)
    return both


def shell_case(args, g, cache, truth):
    """The interactive checks; returns a list of failure messages."""
    fails = []
    ct = args.cmd_timeout

    out, st, _ = g.run("uname -r", ct)
    want = open(os.path.join(cache, "kernel-version")).read().strip()
    want = want[len("vmlinuz-"):] if want.startswith("vmlinuz-") else want
    ok = out.decode().strip() == want and st == 0
    say("%s uname -r: %s (want %s)" % ("ok  " if ok else "FAIL", out.decode().strip(), want))
    if not ok:
        fails.append("uname -r")

    before = time.time()
    out, st, _ = g.run("date +%s", ct)
    after = time.time()
    try:
        gd = int(out.decode().strip())
    except ValueError:
        gd = None
    tol = args.date_tolerance
    ok = gd is not None and before - tol <= gd <= after + tol
    say("%s date +%%s: guest %s, host %.0f..%.0f (tolerance %g s)"
        % ("ok  " if ok else "FAIL", gd, before, after, tol))
    if not ok:
        fails.append("date")

    out, st, secs = g.run("read a x </proc/uptime; sleep 1; read b x </proc/uptime; echo $a $b", ct)
    lo, hi = args.sleep_range
    try:
        a, b = (float(v) for v in out.decode().split())
        gsecs = b - a
    except ValueError:
        gsecs = -1
    ok = lo <= secs <= hi and lo <= gsecs <= hi
    say("%s sleep 1: %.2f s host wall time, %.2f s guest /proc/uptime (allowed %g-%g)"
        % ("ok  " if ok else "FAIL", secs, gsecs, lo, hi))
    if not ok:
        fails.append("sleep 1")

    out, st, _ = g.run("dmesg", ct)
    text = out.decode(errors="replace")
    bad = [ln for ln in text.splitlines() if any(re.search(p, ln) for p in COMPLAINTS)]
    notes = [ln for ln in text.splitlines() if any(re.search(p, ln) for p in TOLERATED)]
    for ln in notes:
        say("note dmesg: " + ln)
    say("%s dmesg: %d lines, %d complaints" % ("ok  " if not bad else "FAIL",
                                               len(text.splitlines()), len(bad)))
    for ln in bad:
        say("     " + ln)
    if bad or st != 0 or not text:
        fails.append("dmesg")

    for name, cmd in USERLAND:
        want, wst = truth.run(cmd)
        if wst != 0:
            say("FAIL %s: the host truth itself failed (status %d): %r" % (name, wst, want[:300]))
            fails.append(name)
            continue
        out, st, secs = g.run(cmd, ct)
        ok = out == want and st == wst
        say("%s %s (%.1f s)" % ("ok  " if ok else "FAIL", name, secs))
        if not ok:
            say("     command: " + cmd)
            say("     guest (status %d): %r" % (st, out[:300]))
            say("     host  (status %d): %r" % (wst, want[:300]))
            fails.append(name)

    if args.fpu_check:
        # issue 4's userland evidence: glibc string functions, printf of
        # floating point, libm and long double, byte-identical to the host
        out, st, secs = g.run("/fpu_check | md5sum; /fpu_check | tail -n 1", ct)
        want = args.fpu_truth
        exp = (hashlib.md5(want).hexdigest() + "  -\n").encode() + want.splitlines(True)[-1]
        ok = out == exp and st == 0
        say("%s fpu_check: %d lines of libc/libm output (%.1f s)"
            % ("ok  " if ok else "FAIL", len(want.splitlines()), secs))
        if not ok:
            say("     guest: %r" % out[:300])
            say("     host:  %r" % exp[:300])
            fails.append("fpu_check")

    g.send("poweroff -f\n")
    st = g.wait_exit(ct)
    say("%s poweroff -f: exit status %d" % ("ok  " if st == 0 else "FAIL", st))
    if st != 0:
        fails.append("poweroff")
    return fails


def reboot_case(args, g):
    g.send("reboot -f\n")
    st = g.wait_exit(args.cmd_timeout)
    say("%s reboot -f under -no-reboot: exit status %d" % ("ok  " if st == 0 else "FAIL", st))
    return [] if st == 0 else ["reboot"]


def diagnose_log(argv, limit):
    """Re-run ARGV (a vireo that died early) with -d int,unimp for at most
    LIMIT seconds; return the log's last lines, exceptions named."""
    with tempfile.NamedTemporaryFile(prefix="vireo-boot-", suffix=".log") as logf:
        cmd = argv + ["-d", "int,unimp", "-D", logf.name]
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=limit)
        except subprocess.TimeoutExpired:
            return ["(the second run did not end within %.0f s)" % limit]
        lines = open(logf.name, errors="replace").read().splitlines()[-15:]
    for i, ln in enumerate(lines):
        m = re.search(r"exception (\d+)\b", ln)
        if m and int(m.group(1)) in VECTORS:
            lines[i] = ln + "   [%s]" % VECTORS[int(m.group(1))]
    return lines


def diagnose(argv, limit):
    say("diagnosis: re-running with -d int,unimp (at most %.0f s); the log ends:" % limit)
    for ln in diagnose_log(argv, limit):
        say("  " + ln)


class HostCannot(Exception):
    """The host cannot run this guest at all (CTest "skipped")."""


def boot_once(args, emu, kernel, initrd, case, cache, truth):
    argv = emu + guest_args(kernel, initrd)
    say("== case %s: %s" % (case, " ".join(argv)))
    log = None
    if args.log:
        log = args.log + "." + case
    g = Guest(argv, log)
    started = False
    try:
        t_ready, uptime = g.boot_to_shell(args.boot_timeout, args.cmd_timeout)
        started = True
        say("ok   boot: 'vireo-init: ready' after %.1f s (guest uptime %s s), shell up after %.1f s"
            % (t_ready, uptime, g.elapsed()))
        if case == "shell":
            fails = shell_case(args, g, cache, truth)
        else:
            fails = reboot_case(args, g)
    except (GuestDied, GuestTimeout) as e:
        if not started and "instruction emulation failed" in g.stderr_text():
            # A nested KVM that emulates guest kernel code and cannot
            # emulate some instruction: the host's limit, not vireo's.
            say("SKIP %s: this host's KVM cannot run the guest kernel:" % case)
            say(g.stderr_text()[-600:])
            raise HostCannot()
        say("FAIL %s: %s after %.1f s" % (case, e, g.elapsed()))
        say("---- last serial output ----")
        say(g.tail())
        say("---- emulator stderr ----")
        say(g.stderr_text()[-2000:])
        say("----")
        fails = [case]
        # A silent exit (status 0, nothing on stderr) before the shell is
        # vireo's triple fault or reset under -no-reboot: say why.
        silent = isinstance(e, GuestDied) and g.status == 0 and not g.stderr_text().strip()
        if silent and not started and "vireo" in os.path.basename(emu[0]):
            diagnose(argv, min(2 * g.elapsed() + 30, args.boot_timeout))
    finally:
        g.close()
    return fails


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        usage="%(prog)s [options] -- EMULATOR [ARGS...]")
    ap.add_argument("--cache", default=default_cache(),
                    help="guest cache folder (fetch-guest.sh's; default %(default)s)")
    ap.add_argument("--kernel", help="use this bzImage instead of the cached one")
    ap.add_argument("--flavour", choices=sorted(FLAVOURS), default="cloud",
                    help="Debian kernel: cloud (linux-image-cloud-amd64, default) or generic "
                    "(linux-image-amd64, cached in CACHE-generic)")
    ap.add_argument("--initrd", help="use this initramfs instead of the cached one")
    ap.add_argument("--cases", default="shell,reboot", help="shell, reboot (comma-separated)")
    ap.add_argument("--boot-timeout", type=float, default=1800,
                    help="seconds to the init marker (default %(default)s)")
    ap.add_argument("--cmd-timeout", type=float, default=600,
                    help="seconds per shell command (default %(default)s)")
    ap.add_argument("--date-tolerance", type=float, default=10)
    ap.add_argument("--sleep-range", type=float, nargs=2, default=(0.5, 3.0), metavar=("LO", "HI"))
    ap.add_argument("--log", help="write the serial output to LOG.CASE")
    ap.add_argument("--tolerate", action="append", default=[], metavar="REGEX",
                    help="a dmesg line to report as a note, not a failure (repeatable)")
    ap.add_argument("--fpu-check", help="a static x86-64 program (tests/linux/fpu_check.c) to run in "
                    "the guest and on the host; outputs must be identical")
    ap.add_argument("emulator", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    emu = args.emulator[1:] if args.emulator[:1] == ["--"] else args.emulator
    TOLERATED.extend(args.tolerate)
    if not emu:
        ap.error("no emulator command after --")
    if not shutil.which(emu[0]):
        say("SKIP: %s not found" % emu[0])
        return 77

    cache = os.path.abspath(args.cache) + FLAVOURS[args.flavour][1]
    got = fetch_guest(cache, args.flavour)
    if not got:
        say("SKIP: cannot obtain the Linux guest with %s (no network and no cache?)" % FETCH)
        return 77
    kernel = args.kernel or got[0]
    initrd = args.initrd or got[1]
    extra_initrd = None
    if args.fpu_check:
        args.fpu_truth = fpu_check_truth(args.fpu_check)
        initrd = extra_initrd = with_extra_file(initrd, args.fpu_check, "fpu_check")
    truth = HostBusybox(cache)
    fails = []
    t0 = time.monotonic()
    try:
        for case in args.cases.split(","):
            try:
                f = boot_once(args, emu, kernel, initrd, case, cache, truth)
            except HostCannot:
                return 77
            fails += f
            if case in f:
                break   # the guest died or hung: a second boot would only repeat that
    finally:
        truth.close()
        if extra_initrd:
            os.unlink(extra_initrd)
    if fails:
        say("FAILED (%s) in %.1f s" % (", ".join(fails), time.monotonic() - t0))
        return 1
    say("PASSED in %.1f s" % (time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
