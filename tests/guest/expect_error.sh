#!/bin/sh
# expect_error.sh VIREO MESSAGE ARGS... - vireo must exit non-zero at once,
# printing exactly one line on stderr that contains MESSAGE and nothing on
# stdout (no guest ran).
set -u
bin=$1 msg=$2
shift 2
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
timeout 20 "$bin" "$@" </dev/null >"$out" 2>"$err"
rc=$?
fail=0
[ $rc -ne 0 ] && [ $rc -ne 124 ] || { echo "FAIL: exit status $rc, expected a non-zero error"; fail=1; }
grep -qF -- "$msg" "$err" || { echo "FAIL: stderr lacks '$msg'"; fail=1; }
[ "$(wc -l <"$err")" -eq 1 ] || { echo "FAIL: expected one line on stderr"; fail=1; }
[ ! -s "$out" ] || { echo "FAIL: unexpected output on stdout"; fail=1; }
if [ $fail -ne 0 ]; then
    echo "--- stderr"; cat "$err"; echo "--- stdout"; cat "$out"
    exit 1
fi
echo "PASS: $(cat "$err")"
