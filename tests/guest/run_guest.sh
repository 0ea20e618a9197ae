#!/bin/sh
# run_guest.sh - run one assembly guest and compare its serial output and
# exit status with the expected ones.
#
#   run_guest.sh vireo|qemu BINARY ACCEL EXPECTED_FILE EXPECTED_STATUS [ARGS...]
#
# The guest prints a line "-- guest start --" first; everything from that
# line on must equal EXPECTED_FILE.  For vireo nothing may come before it;
# QEMU's firmware (SeaBIOS) prints its banner first, which is skipped
# (QEMU also gets -net none so no option ROM slows it down).
# Exit 77 (CTest "skipped") when the back end is absent: no QEMU binary,
# or /dev/kvm missing or refusing.
set -u
kind=$1 bin=$2 accel=$3 expected=$4 status=$5
shift 5

if [ "$kind" = qemu ] && ! command -v "$bin" >/dev/null 2>&1; then
    echo "SKIP: $bin not installed"; exit 77
fi
if [ "$accel" = kvm ] && { [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; }; then
    echo "SKIP: /dev/kvm not available"; exit 77
fi

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
if [ "$kind" = qemu ]; then
    timeout 120 "$bin" -accel "$accel" -m 128 -net none "$@" </dev/null >"$out" 2>"$err"
else
    timeout 120 "$bin" -accel "$accel" "$@" </dev/null >"$out" 2>"$err"
fi
rc=$?

if [ "$accel" = kvm ] && [ $rc -ne "$status" ] && grep -q "kvm" "$err" && [ ! -s "$out" ]; then
    echo "SKIP: KVM refused:"; cat "$err"; exit 77
fi
# Nested, paravirtual KVM hosts (like the project's CI machines) emulate
# guest kernel code and cannot emulate some instructions (IRET, INT3 ...);
# that is the host's limit, not vireo's: report it as skipped.
if [ "$accel" = kvm ] && grep -q "instruction emulation failed" "$err"; then
    echo "SKIP: this host's KVM cannot emulate the guest:"; cat "$err"; exit 77
fi

marker='-- guest start --'
# QEMU's SeaBIOS may leave its last line unterminated: cut at the marker.
got=$(tr -d '\r' <"$out" | sed -n "s/^.*$marker\$/$marker/; /^$marker\$/,\$p")
want=$(cat "$expected")
fail=0
if [ "$kind" = vireo ] && [ "$(head -c ${#marker} "$out")" != "$marker" ]; then
    echo "FAIL: output does not start with the guest's first line"; fail=1
fi
if [ "$got" != "$want" ]; then
    echo "FAIL: serial output differs from $expected"
    echo "--- expected"; printf '%s\n' "$want"
    echo "--- got"; printf '%s\n' "$got"
    fail=1
fi
if [ $rc -ne "$status" ]; then
    echo "FAIL: exit status $rc, expected $status"; fail=1
fi
if [ $fail -ne 0 ]; then
    echo "--- stderr"; cat "$err"
    exit 1
fi
echo "PASS: $kind -accel $accel"
exit 0
