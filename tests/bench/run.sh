#!/bin/sh
# run.sh - the benchmark command (README): install QEMU and Bochs, build vireo and
# the benchmark guests, then run tests/bench/bench.py (extra arguments are
# passed on, e.g. --runs 3 or --only mips32).
set -e
cd "$(dirname "$0")/../.."
. ./deps.sh
vireo_deps test
vireo_deps bench
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build vireo bench_guests
exec python3 tests/bench/bench.py --vireo build/vireo --guests build/tests/bench "$@"
