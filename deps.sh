#!/bin/sh
# deps.sh - install the Debian 12 packages vireo needs (sourced by boot.sh
# and check.sh).  Installs only what is missing; uses sudo when not root.
#   vireo_deps build    - to build and run vireo
#   vireo_deps test     - plus what the test suite uses (QEMU as reference, iasl as ACPI oracle)
#   vireo_deps bench    - the references of the benchmark suite (QEMU, Bochs)
vireo_deps() {
    pkgs="cmake ninja-build gcc libc6-dev pkg-config nasm binutils libcapstone-dev check python3"
    if [ "$1" = test ]; then
        pkgs="$pkgs qemu-system-x86 python3 acpica-tools"
    fi
    if [ "$1" = bench ]; then
        pkgs="qemu-system-x86 python3 bochs bochsbios vgabios"
    fi
    missing=""
    for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "vireo: installing Debian packages:$missing"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q || return 1
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
}
