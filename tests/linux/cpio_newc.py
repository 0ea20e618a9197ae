#!/usr/bin/env python3
"""cpio_newc.py - a gzip'd newc cpio writer for initramfs images.

Root-owned entries, mtime 0, sorted names, so an archive depends only on
the contents.  `cpio_newc.py TREE OUT` archives a directory tree (used by
fetch-guest.sh); boot_test.py imports write_entries() to add single files.
The kernel unpacks concatenated archives, so an extra archive can follow
an existing initrd.  Not supported: hard links, device nodes.
"""
import gzip
import os
import stat
import sys


class Writer:
    def __init__(self, f):
        self.f = f
        self.ino = 0

    def entry(self, name, mode, data, nlink=1):
        self.ino += 1
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
        self.f.write(hdr.encode() + name_b)
        self.f.write(b"\0" * ((4 - (110 + len(name_b)) % 4) % 4))
        self.f.write(data)
        self.f.write(b"\0" * ((4 - len(data) % 4) % 4))

    def trailer(self):
        self.entry("TRAILER!!!", 0, b"")


def write_entries(out, entries):
    """ENTRIES: (name, mode, data) regular files, written to the gzip'd OUT."""
    with open(out, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as f:
        w = Writer(f)
        for name, mode, data in entries:
            w.entry(name, stat.S_IFREG | mode, data)
        w.trailer()


def write_tree(top, out):
    names = []
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            names.append(os.path.relpath(os.path.join(dirpath, n), top))
    with open(out, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as f:
        w = Writer(f)
        for name in sorted(names):
            p = os.path.join(top, name)
            st = os.lstat(p)
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                w.entry(name, stat.S_IFLNK | 0o777, os.readlink(p).encode())
            elif stat.S_ISDIR(st.st_mode):
                w.entry(name, stat.S_IFDIR | perm, b"", 2)
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as g:
                    w.entry(name, stat.S_IFREG | perm, g.read())
        w.trailer()


if __name__ == "__main__":
    write_tree(sys.argv[1], sys.argv[2])
