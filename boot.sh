#!/bin/sh
# boot.sh - README command 1: install build dependencies, build vireo and
# boot the default guest on the serial console, on the software CPU:
# Debian 12's cloud kernel with a busybox initramfs, to a shell.  The
# guest is fetched once with `apt-get download` + `dpkg -x` into
# ~/.cache/vireo/linux (tests/linux/fetch-guest.sh); later runs reuse the
# cache.  Without the Debian archive it boots vireo's built-in demo guest
# instead (roms/demo.asm).  Ctrl-A x quits.  Extra arguments go to vireo
# (e.g. ./boot.sh -d int).
set -e
cd "$(dirname "$0")"
. ./deps.sh
vireo_deps build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build vireo
if guest=$(tests/linux/fetch-guest.sh); then
    kernel=$(printf '%s\n' "$guest" | sed -n 1p)
    initrd=$(printf '%s\n' "$guest" | sed -n 2p)
    echo "boot.sh: booting Debian's cloud kernel on the software CPU (Ctrl-A x quits)" >&2
    exec build/vireo -accel tcg -m 256 -nographic -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyS0" "$@"
fi
echo "boot.sh: the Linux guest could not be fetched; booting the built-in demo guest" >&2
exec build/vireo -nographic "$@"
