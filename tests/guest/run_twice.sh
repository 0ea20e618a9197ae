#!/bin/sh
# run_twice.sh VIREO ARGS... - determinism check: run the same guest twice
# with the same arguments; both runs must exit 0x21 and print exactly the
# same serial output, and that output must contain at least two different
# hex samples (the clock moved).
set -u
bin=$1
shift
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
timeout 120 "$bin" "$@" </dev/null >"$a" 2>&1; ra=$?
timeout 120 "$bin" "$@" </dev/null >"$b" 2>&1; rb=$?
fail=0
[ $ra -eq 33 ] && [ $rb -eq 33 ] || { echo "FAIL: exit statuses $ra/$rb, expected 33"; fail=1; }
cmp -s "$a" "$b" || { echo "FAIL: the two runs differ"; diff "$a" "$b"; fail=1; }
n=$(grep -E '^[0-9a-f]{8}$' "$a" | sort -u | wc -l)
[ "$n" -ge 2 ] || { echo "FAIL: the samples do not change ($n distinct)"; fail=1; }
cat "$a"
[ $fail -eq 0 ] && echo "PASS: identical runs, $n distinct samples"
exit $fail
