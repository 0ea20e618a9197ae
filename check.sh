#!/bin/sh
# check.sh - README command 2: install build and test dependencies, build
# vireo, run every test (unit, device, guest under each back end, QEMU
# reference, command-line errors), then rebuild everything
# with AddressSanitizer + UndefinedBehaviorSanitizer and run them again
# (all but the QEMU reference runs, which test QEMU, not vireo).
set -e
cd "$(dirname "$0")"
. ./deps.sh
vireo_deps test
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ninja -C build
(cd build && ctest --output-on-failure -j "$jobs")

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIREO_SANITIZE=ON
ninja -C build-asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs" -LE "reference|linux|timing")
