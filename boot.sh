#!/bin/sh
# boot.sh - README command 1: install build dependencies, build vireo and
# boot the default guest on the serial console (Ctrl-A x quits).
# Extra arguments are passed to vireo (e.g. ./boot.sh -accel kvm).
set -e
cd "$(dirname "$0")"
. ./deps.sh
vireo_deps build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build vireo
exec build/vireo -nographic "$@"
