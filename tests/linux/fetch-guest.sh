#!/bin/sh
# fetch-guest.sh - obtain vireo's default Linux guest: the Debian 12 cloud
# kernel (linux-image-cloud-amd64 -> linux-image-6.1.0-*-cloud-amd64) and
# busybox-static, fetched with `apt-get download` and unpacked with
# `dpkg -x` into a cache folder, plus a busybox initramfs (gzip'd newc
# cpio written by cpio_newc.py beside this script, so every file is owned by root
# in the archive whoever runs the script, and no cpio package is needed).
#
# Usage: fetch-guest.sh [CACHE_DIR]
#   CACHE_DIR defaults to ${VIREO_CACHE:-$HOME/.cache/vireo}/linux.
#   VIREO_KERNEL_META=linux-image-amd64 fetches the generic kernel instead
#   of the cloud one (give it its own CACHE_DIR).
# Prints two lines on stdout: the path of vmlinuz, then of initrd.gz.
# Progress goes to stderr.  A second run reuses the cache (no network).
#
# The /init it builds mounts proc, sys and devtmpfs, prints
# "vireo-init: uptime SECONDS" (/proc/uptime at that moment) and
# "vireo-init: ready", and gives a shell on the console (setsid cttyhack
# sh) with the prompt "vireo-sh# " (tests/linux/boot_test.py drives it).
# With vireo.test=1 on the kernel command line it prints uname -r and date,
# then "vireo-init: test done", and powers off with poweroff -f.
#
# Not done: kernel modules (the cloud kernel has the 8250 UART, virtio and
# ext4 built in), package signature checks beyond what apt itself does.
set -eu

# Bump when the initramfs layout or /init changes: the cached initrd.gz is
# then rebuilt from the cached packages, still without network.
INITRAMFS_VERSION=2

CACHE=${1:-${VIREO_CACHE:-${HOME:?}/.cache/vireo}/linux}
KERNEL_META=${VIREO_KERNEL_META:-linux-image-cloud-amd64}

HERE=$(cd "$(dirname "$0")" && pwd)

say() { printf 'fetch-guest: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in apt-get apt-cache dpkg python3 gzip; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed (a Debian-based host)"
done

mkdir -p "$CACHE" || die "cannot create the cache folder $CACHE"
CACHE=$(cd "$CACHE" && pwd)
VMLINUZ=$CACHE/vmlinuz
INITRD=$CACHE/initrd.gz
STAMP=$CACHE/.initramfs-version

if [ -s "$VMLINUZ" ] && [ -s "$INITRD" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$INITRAMFS_VERSION" ]; then
    say "using the cache in $CACHE"
    printf '%s\n%s\n' "$VMLINUZ" "$INITRD"
    exit 0
fi

# apt as the invoking user: root uses the system lists; a normal user who
# lacks lists gets a private copy under the cache (apt-get update then
# needs no privileges).
APT_OPTS=
# Root: apt would try to drop to _apt, which cannot write a private cache.
[ "$(id -u)" = 0 ] && APT_OPTS="-o APT::Sandbox::User=root"
private_lists() {
    mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial"
    APT_OPTS="$APT_OPTS -o Dir::State::Lists=$CACHE/apt/lists -o Dir::Cache=$CACHE/apt/cache"
}
apt_update() {
    if [ "$(id -u)" = 0 ]; then
        say "running apt-get update (no package lists)"
        apt-get -q update >&2 || die "apt-get update failed"
    else
        say "no usable package lists; fetching a private copy into $CACHE/apt"
        private_lists
        # shellcheck disable=SC2086
        apt-get -q $APT_OPTS update >&2 || die "apt-get update (private lists) failed"
    fi
}
# Name of the versioned kernel package the meta-package depends on.
kernel_package() {
    # shellcheck disable=SC2086
    apt-cache $APT_OPTS depends "$KERNEL_META" 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

DEBS=$CACHE/debs
ROOT=$CACHE/root
mkdir -p "$DEBS" "$ROOT"

have_debs() {
    ls "$DEBS"/linux-image-[0-9]*.deb >/dev/null 2>&1 &&
        ls "$DEBS"/busybox-static_*.deb >/dev/null 2>&1
}

if ! have_debs; then
    [ -d "$CACHE/apt/lists" ] && private_lists
    KPKG=$(kernel_package)
    if [ -z "$KPKG" ]; then
        apt_update
        KPKG=$(kernel_package)
    fi
    [ -n "$KPKG" ] || die "apt knows no package $KERNEL_META (is this a Debian 12 host with 'main' in its sources?)"
    say "downloading $KPKG and busybox-static"
    # shellcheck disable=SC2086
    if ! (cd "$DEBS" && apt-get -q $APT_OPTS download "$KPKG" busybox-static >&2); then
        apt_update
        # shellcheck disable=SC2086
        (cd "$DEBS" && apt-get -q $APT_OPTS download "$KPKG" busybox-static >&2) ||
            die "apt-get download $KPKG busybox-static failed"
    fi
fi

say "unpacking packages"
rm -rf "$ROOT"
mkdir -p "$ROOT"
for deb in "$DEBS"/linux-image-[0-9]*.deb "$DEBS"/busybox-static_*.deb; do
    dpkg -x "$deb" "$ROOT" || die "dpkg -x $deb failed"
done
KFILE=
for f in "$ROOT"/boot/vmlinuz-*; do
    [ -f "$f" ] && KFILE=$f && break
done
[ -n "$KFILE" ] || die "no /boot/vmlinuz-* in the kernel package"
[ -x "$ROOT/bin/busybox" ] || die "no /bin/busybox in busybox-static"
cp "$KFILE" "$VMLINUZ.tmp" && mv "$VMLINUZ.tmp" "$VMLINUZ"
basename "$KFILE" > "$CACHE/kernel-version"
say "kernel $(basename "$KFILE")"

# The initramfs tree.
IR=$CACHE/initramfs
rm -rf "$IR"
mkdir -p "$IR/bin" "$IR/sbin" "$IR/usr/bin" "$IR/usr/sbin" "$IR/proc" "$IR/sys" "$IR/dev" \
         "$IR/tmp" "$IR/root" "$IR/etc"
cp "$ROOT/bin/busybox" "$IR/bin/busybox"
# busybox-static is a static x86-64 binary: it runs on the host to list its applets.
"$IR/bin/busybox" --list-full > "$CACHE/applets.txt" || die "cannot run busybox --list-full"
while read -r applet; do
    case $applet in
        ''|bin/busybox) continue ;;
    esac
    [ -e "$IR/$applet" ] || ln -s /bin/busybox "$IR/$applet"
done < "$CACHE/applets.txt"

cat > "$IR/init" <<'EOF'
#!/bin/busybox sh
# vireo's test initramfs /init (built by tests/linux/fetch-guest.sh).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The kernel's own clock at the marker (a shell builtin read: no fork), for
# tests/bench/bench.py's linux-boot workload.
read -r up _ < /proc/uptime
echo "vireo-init: uptime $up"
echo "vireo-init: ready"
case " $(cat /proc/cmdline) " in
*" vireo.test=1 "*)
    echo "vireo-init: uname -r: $(uname -r)"
    echo "vireo-init: date: $(date)"
    echo "vireo-init: test done"
    poweroff -f
    ;;
esac
# A fixed prompt that tests/linux/boot_test.py waits for.
export PS1='vireo-sh# '
exec setsid cttyhack sh -l
EOF
chmod 755 "$IR/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$IR/etc/passwd"
printf 'root:x:0:\n' > "$IR/etc/group"

say "writing initrd.gz"
python3 "$HERE/cpio_newc.py" "$IR" "$INITRD.tmp" || die "cannot write the initramfs"
mv "$INITRD.tmp" "$INITRD"
# The unpacked packages (mostly kernel modules) are not needed any more;
# the .debs stay, so a rebuild never needs the network.
rm -rf "$ROOT"
echo "$INITRAMFS_VERSION" > "$STAMP"
say "done: $(du -sh "$CACHE" | cut -f1) in $CACHE"
printf '%s\n%s\n' "$VMLINUZ" "$INITRD"
