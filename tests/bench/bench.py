#!/usr/bin/env python3
"""bench.py - vireo side by side with QEMU on the same guests, as ratios.

Runs each workload under every engine (vireo interp/tcg/kvm, QEMU tcg/kvm)
alternately, several times after a warm-up, and prints median/min/max,
the ratio vireo/QEMU and peak RSS; writes the results as JSON.

Workloads:
  mips32, mips64  the MIPS meter guest (tests/bench/mips.asm) in 32-bit
                  protected mode and in long mode; guest MIPS from the
                  time between its BEGIN and END lines on the serial port.
                  The iteration count is calibrated per engine so that
                  the measured loop takes about --target seconds.
  startup         a trivial guest: time to its first serial byte (first
                  guest output) and to exit.
  Bochs runs the same 32-bit loop from a boot floppy (mips_floppy.asm);
  its serial output is buffered, so its MIPS come from the difference of
  whole-run times at two iteration counts (start-up cancels out).
  linux-boot      the Debian guest of tests/linux (fetch-guest.sh) to the
                  init marker "vireo-init: ready": wall time from process
                  start, and the kernel's own /proc/uptime at the marker
                  (/init prints it), i.e. without emulator start-up,
                  firmware and decompression.
  linux-compute   in the same boot, at the shell: busybox sha256sum (4
                  passes) and gzip -6 over 4.5 MiB of text in tmpfs, timed
                  inside the guest with /proc/uptime (10 ms ticks); the
                  outputs are checked against the same busybox on the host.
                  The Linux workloads run only on the software CPUs (vireo
                  interp/tcg, QEMU tcg), without warm-up, --linux-runs times
                  or until --linux-budget seconds per engine are spent. An
                  engine that cannot boot the guest is reported as n/a with
                  the reason.
Not done: disk and network workloads (added with the devices).
Usage: bench.py --vireo build/vireo --guests build/tests/bench [--runs 5]
"""
import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux"))
import boot_test  # noqa: E402  (tests/linux/boot_test.py: fetch, Guest, host busybox)

INSNS_PER_ITER = 17
DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
EXIT_OK = 0x21  # the guests write 0x10 to isa-debug-exit


def run_timed(cmd, markers, timeout):
    """Run CMD; return (status, {marker: seconds since start}, end, maxrss_kb)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    seen, buf, first = {}, b"", None
    fd = p.stdout.fileno()
    while True:
        left = timeout - (time.monotonic() - t0)
        if left <= 0:
            p.kill()
            break
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not r:
            if p.poll() is not None:
                break
            continue
        chunk = os.read(fd, 65536)
        now = time.monotonic() - t0
        if not chunk:
            break
        if first is None:
            first = now
        buf += chunk
        for m in markers:
            if m not in seen and m.encode() in buf:
                seen[m] = now
    _, status, ru = os.wait4(p.pid, 0)
    end = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace").strip()
    p.stdout.close()
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    seen["first-output"] = first
    return code, seen, end, ru.ru_maxrss, err


class Engine:
    def __init__(self, name, argv, kind):
        self.name, self.argv, self.kind = name, argv, kind

    def cmd(self, kernel, append):
        c = list(self.argv)
        if self.kind == "qemu":
            c += ["-m", "128", "-net", "none"]
        c += ["-nographic", "-no-reboot"] + DEBUG_EXIT + ["-kernel", kernel]
        if append:
            c += ["-append", append]
        return c


def engines(args):
    out = []
    for accel in ("interp", "tcg", "kvm"):
        out.append(Engine("vireo-" + accel, [args.vireo, "-accel", accel], "vireo"))
    q = shutil.which(args.qemu)
    for accel in ("tcg", "kvm"):
        out.append(Engine("qemu-" + accel, [q or args.qemu, "-accel", accel], "qemu"))
    return out


def mips_workload(args, eng, kernel):
    """Calibrate, warm up, then measure; returns a result dict."""
    iters = 200000
    for _ in range(4):  # calibration: grow until the loop takes >= target/4
        code, seen, _, _, err = run_timed(eng.cmd(kernel, "iters=%d" % iters),
                                          ["BEGIN", "END"], args.timeout)
        if code != EXIT_OK or "END" not in seen:
            return {"error": (err.splitlines() or ["exit status %d" % code])[-1]}
        dt = seen["END"] - seen["BEGIN"]
        if dt >= args.target / 4 or iters >= 2_000_000_000 // 4:
            break
        iters = min(int(iters * max(2.0, args.target / max(dt, 1e-3))), 2_000_000_000)
    # scale to the target once more
    iters = max(10000, min(int(iters * args.target / max(dt, 1e-3)), 2_000_000_000))
    samples, rss = [], []
    for i in range(args.warmup + args.runs):
        code, seen, _, maxrss, err = run_timed(eng.cmd(kernel, "iters=%d" % iters),
                                               ["BEGIN", "END"], args.timeout)
        if code != EXIT_OK or "END" not in seen:
            return {"error": (err.splitlines() or ["exit status %d" % code])[-1]}
        if i >= args.warmup:
            samples.append(iters * INSNS_PER_ITER / (seen["END"] - seen["BEGIN"]) / 1e6)
            rss.append(maxrss)
    return {"unit": "MIPS", "samples": samples, "iters": iters, "rss_kb": max(rss),
            "higher_is_better": True}


def startup_workload(args, eng, kernel):
    first, total, rss = [], [], []
    for i in range(args.warmup + args.runs):
        code, seen, end, maxrss, err = run_timed(eng.cmd(kernel, None), [], args.timeout)
        if code != EXIT_OK:
            return {"error": (err.splitlines() or ["exit status %d" % code])[-1]}
        if i >= args.warmup:
            first.append(seen["first-output"] * 1000)
            total.append(end * 1000)
            rss.append(maxrss)
    return {"unit": "ms to exit", "samples": total, "first_output_ms": first,
            "rss_kb": max(rss), "higher_is_better": False}


BOCHSRC = """megs: 32
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
floppya: 1_44=%(img)s, status=inserted
boot: floppy
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=file, dev=%(dir)s/com1.txt
speaker: enabled=0
sound: driver=dummy
log: %(dir)s/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
clock: sync=none
"""


def bochs_workload(args, floppy):
    """MIPS of Bochs on the floppy MIPS meter, by the two-count difference."""
    import struct
    import tempfile
    if not shutil.which("bochs") or not os.path.exists("/usr/share/bochs/BIOS-bochs-latest"):
        return {"error": "bochs not installed (Debian packages bochs, bochsbios, vgabios)"}
    if not os.path.exists(floppy):
        return {"error": "missing " + floppy}
    base = open(floppy, "rb").read()
    d = tempfile.mkdtemp(prefix="vireo-bochs-")
    img = os.path.join(d, "floppy.img")
    with open(os.path.join(d, "bochsrc"), "w") as f:
        f.write(BOCHSRC % {"img": img, "dir": d})
    with open(os.path.join(d, "cont.rc"), "w") as f:
        f.write("c\nquit\n")   # Debian's bochs has its debugger on: continue

    def run(iters):
        data = bytearray(base)
        data[0x1f0:0x1f4] = struct.pack("<I", iters)
        with open(img, "wb") as f:
            f.write(data)
        t0 = time.monotonic()
        p = subprocess.run(["bochs", "-q", "-f", os.path.join(d, "bochsrc"), "-rc",
                            os.path.join(d, "cont.rc")], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=args.timeout)
        dt = time.monotonic() - t0
        out = open(os.path.join(d, "com1.txt"), "rb").read()
        if b"BEGIN" not in out:
            raise RuntimeError("bochs did not run the guest (status %d)" % p.returncode)
        return dt

    try:
        n1 = 1000000
        t = run(n1)
        n2 = max(2 * n1, int(n1 * (args.target * 2) / max(t, 0.05)))
        samples = []
        for i in range(args.warmup + args.runs):
            a, b = run(n1), run(n2)
            if i >= args.warmup and b > a:
                samples.append((n2 - n1) * INSNS_PER_ITER / (b - a) / 1e6)
        if not samples:
            return {"error": "bochs timing did not grow with the iteration count"}
        return {"unit": "MIPS", "samples": samples, "iters": n2, "rss_kb": 0,
                "higher_is_better": True}
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        return {"error": str(e)}
    finally:
        shutil.rmtree(d, ignore_errors=True)


# linux-compute: the data (8 copies of `seq 1 100000`, 4.5 MiB) is made
# outside the timed region; each timed command is bracketed by reads of
# /proc/uptime in the guest.
LINUX_DATA = ("seq 1 100000 > /tmp/s; cat /tmp/s /tmp/s /tmp/s /tmp/s > /tmp/d4;"
              " cat /tmp/d4 /tmp/d4 > /tmp/data; rm /tmp/s /tmp/d4")
LINUX_TIMED = [
    ("sha256", "for i in 1 2 3 4; do sha256sum </tmp/data; done"),
    ("gzip", "gzip -6 -c </tmp/data >/tmp/data.gz"),
]
LINUX_CHECK_GZIP = "md5sum </tmp/data.gz"


def linux_truth(cache):
    """What the guest's outputs must be: the same busybox, run on the host."""
    h = boot_test.HostBusybox(cache)
    try:
        make = LINUX_DATA.replace("/tmp/", h.dir + "/")
        sha, _ = h.run(make + "; sha256sum <%s/data" % h.dir)
        gz, _ = h.run(make + "; gzip -6 -c <%s/data | md5sum" % h.dir)
    finally:
        h.close()
    return sha * 4, gz


def linux_session(args, eng, kernel, initrd, truth):
    """One boot: returns (boot wall s, kernel uptime s, {part: guest s}, peak RSS KiB)."""
    argv = list(eng.argv)
    if eng.kind == "qemu":
        argv += ["-net", "none"]
    g = boot_test.Guest(argv + boot_test.guest_args(kernel, initrd))
    try:
        t_ready, uptime = g.boot_to_shell(args.linux_boot_timeout, args.timeout)
        out, st, _ = g.run(LINUX_DATA, args.timeout)
        if st != 0:
            raise RuntimeError("making the data failed: %r" % out[-200:])
        parts = {}
        for name, cmd in LINUX_TIMED:
            out, st, _ = g.run("read a x </proc/uptime; %s; read b x </proc/uptime;"
                               " echo $a $b" % cmd, args.timeout)
            lines = out.split(b"\n")
            a, b = (float(v) for v in lines[-2].split())
            parts[name] = b - a
            if name == "sha256" and b"\n".join(lines[:-2]) + b"\n" != truth[0]:
                raise RuntimeError("sha256sum output differs from the host's")
        out, st, _ = g.run(LINUX_CHECK_GZIP, args.timeout)
        if out != truth[1]:
            raise RuntimeError("gzip output differs from the host's")
        g.send("poweroff -f\n")
        g.wait_exit(args.timeout)
        return t_ready, uptime, parts, g.rss_kb
    except boot_test.GuestDied as e:
        err = (g.stderr_text().strip().splitlines() or [""])[-1]
        why = ": " + err if err else ""
        if not err and g.status == 0 and eng.kind == "vireo" and g.elapsed() < 60:
            # Silent exit: a triple fault or reset under -no-reboot; say which.
            log = boot_test.diagnose_log(g.argv, 60)
            exc = [ln for ln in log if "exception" in ln][:1]
            why = ": " + " -> ".join(exc + [ln for ln in log if "triple fault" in ln][:1])
        raise RuntimeError("%s, after %.1f s%s" % (e, g.elapsed(), why))
    except boot_test.GuestTimeout as e:
        raise RuntimeError("%s (after %.1f s)" % (e, g.elapsed()))
    finally:
        g.close()


def linux_workloads(args, engs):
    """linux-boot and linux-compute for the software CPUs, from shared boots."""
    boot, comp = {}, {}
    got = boot_test.fetch_guest(os.path.abspath(args.linux_cache))
    for e in engs:
        if e.name.endswith("-kvm"):
            boot[e.name] = comp[e.name] = {"error": "not run (the Linux workloads compare"
                                           " the software CPUs)"}
        elif not got:
            boot[e.name] = comp[e.name] = {"error": "no guest (tests/linux/fetch-guest.sh failed)"}
    if not got:
        return boot, comp
    truth = linux_truth(os.path.abspath(args.linux_cache))
    for e in engs:
        if e.name in boot:
            continue
        walls, kern, totals, parts, rss, spent, failed = [], [], [], {}, [], 0.0, None
        for i in range(args.linux_runs):
            print("  linux / %s run %d ..." % (e.name, i + 1), file=sys.stderr, flush=True)
            t0 = time.monotonic()
            try:
                wall, up, p, kb = linux_session(args, e, got[0], got[1], truth)
            except (RuntimeError, ValueError, OSError) as x:
                failed = str(x)   # a later run failing is reported beside the samples
                if not walls:
                    boot[e.name] = comp[e.name] = {"error": failed}
                break
            walls.append(wall)
            rss.append(kb)
            kern.append(up if up is not None else float("nan"))
            totals.append(sum(p.values()))
            for k, v in p.items():
                parts.setdefault(k, []).append(v)
            took = time.monotonic() - t0
            spent += took
            if spent + took > args.linux_budget:
                break
        if walls:
            boot[e.name] = {"unit": "s to marker", "samples": walls, "kernel_uptime_s": kern,
                            "rss_kb": max(rss), "higher_is_better": False,
                            "note": "kernel %.2f s" % statistics.median(kern)}
            comp[e.name] = {"unit": "s in guest", "samples": totals, "parts_s": parts,
                            "rss_kb": max(rss), "higher_is_better": False,
                            "note": " + ".join("%s %.2f s" % (k, statistics.median(v))
                                               for k, v in parts.items())}
            if failed:
                for r in (boot[e.name], comp[e.name]):
                    r["note"] += "; run %d failed: %s" % (len(walls) + 1, failed)
                    r["failed_run"] = failed
    order = [e.name for e in engs]
    return ({k: boot[k] for k in order if k in boot}, {k: comp[k] for k in order if k in comp})


def summarize(res):
    s = res["samples"]
    res["median"], res["min"], res["max"] = statistics.median(s), min(s), max(s)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vireo", default="build/vireo")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--guests", default="build/tests/bench")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--target", type=float, default=1.0, help="seconds per measured loop")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--json", default="bench-results.json")
    ap.add_argument("--only", help="comma-separated workloads")
    ap.add_argument("--linux-runs", type=int, default=3, help="boots per engine (no warm-up)")
    ap.add_argument("--linux-budget", type=float, default=150,
                    help="seconds per engine after which no further boot starts")
    ap.add_argument("--linux-boot-timeout", type=float, default=900)
    ap.add_argument("--linux-cache", default=boot_test.default_cache())
    args = ap.parse_args()

    g = args.guests
    workloads = [
        ("mips32", mips_workload, os.path.join(g, "mips32.bin")),
        ("mips64", mips_workload, os.path.join(g, "mips64.bin")),
        ("startup", startup_workload, os.path.join(g, "startup.bin")),
    ]
    if args.only:
        keep = args.only.split(",")
        workloads = [w for w in workloads if w[0] in keep]
    results = {"host": os.uname().nodename, "cpus": os.cpu_count(),
               "date": time.strftime("%Y-%m-%d %H:%M:%S"), "workloads": {}}
    engs = engines(args)
    for name, fn, kernel in workloads:
        wl = results["workloads"].setdefault(name, {})
        for e in engs:
            print("  %s / %s ..." % (name, e.name), file=sys.stderr, flush=True)
            r = fn(args, e, kernel)
            wl[e.name] = summarize(r) if "samples" in r else r
    if not args.only or "mips32" in args.only.split(","):
        print("  mips32 / bochs ...", file=sys.stderr, flush=True)
        r = bochs_workload(args, os.path.join(g, "mips_floppy.img"))
        results["workloads"]["mips32"]["bochs"] = summarize(r) if "samples" in r else r
    keep = args.only.split(",") if args.only else ["linux-boot", "linux-compute"]
    if "linux-boot" in keep or "linux-compute" in keep:
        boot, comp = linux_workloads(args, engs)
        for name, wl in (("linux-boot", boot), ("linux-compute", comp)):
            if name in keep:
                results["workloads"][name] = {k: summarize(r) if "samples" in r else r
                                              for k, r in wl.items()}
    print_table(results)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    print("\nresults written to %s" % args.json)


def print_table(results):
    print("\n%-14s %-13s %10s %10s %10s %9s %9s  %s" %
          ("workload", "engine", "median", "min", "max", "unit", "RSS MiB", "vs QEMU"))
    for name, wl in results["workloads"].items():
        for eng, r in wl.items():
            if "error" in r:
                print("%-14s %-13s %s" % (name, eng, "n/a: " + r["error"]))
                continue
            ratio = ""
            accel = eng.split("-", 1)[1] if "-" in eng else eng
            software = accel in ("interp", "tcg")
            ref = wl.get("qemu-" + ("tcg" if software else accel))
            if eng.startswith("vireo") and ref and "median" in ref:
                x = r["median"] / ref["median"]
                ratio = "%.3gx %s" % (x, "(higher is better)" if r["higher_is_better"]
                                      else "(lower is better)")
            if eng.startswith("vireo") and software and "median" in wl.get("bochs", {}):
                ratio += "  %.3gx vs Bochs" % (r["median"] / wl["bochs"]["median"])
            if r.get("note"):
                ratio = (ratio + "  " if ratio else "") + r["note"]
            fmt = "%10.2f" if r["unit"].startswith("s ") and r["median"] < 10 else "%10.1f"
            print(("%-14s %-13s " + fmt * 3 + " %9s %9s  %s") %
                  (name, eng, r["median"], r["min"], r["max"], r["unit"].split()[0],
                   "%.1f" % (r["rss_kb"] / 1024) if r["rss_kb"] else "-", ratio))


if __name__ == "__main__":
    main()
