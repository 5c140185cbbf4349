#!/usr/bin/env python3
"""Extracts the uncompressed ELF vmlinux from a bzImage (vmlinuz), as the kernel's
scripts/extract-vmlinux does: find a compressed stream's magic, decompress from there, keep the
first result that is an ELF file. Booting the ELF through its PVH entry skips the decompressor,
which takes seconds under TCG. Usage: extract-vmlinux.py VMLINUZ OUT"""
import lzma
import subprocess
import sys
import zlib

ELF = b"\x7fELF"


def try_xz(data):
    try:
        return lzma.LZMADecompressor().decompress(data)
    except lzma.LZMAError:
        return b""


def try_gzip(data):
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
    except zlib.error:
        return b""


def try_zstd(data):
    # zstd complains about the bytes after the frame; its output is still the whole frame.
    p = subprocess.run(["zstd", "-dcq"], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, check=False)
    return p.stdout


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = open(sys.argv[1], "rb").read()
    if data.startswith(ELF):
        open(sys.argv[2], "wb").write(data)
        return
    for magic, fn in ((b"\xfd7zXZ\x00", try_xz), (b"\x28\xb5\x2f\xfd", try_zstd),
                      (b"\x1f\x8b\x08", try_gzip)):
        pos = data.find(magic)
        while pos >= 0:
            out = fn(data[pos:])
            if out.startswith(ELF):
                open(sys.argv[2], "wb").write(out)
                return
            pos = data.find(magic, pos + 1)
    sys.exit("extract-vmlinux: no compressed ELF kernel found in " + sys.argv[1])


if __name__ == "__main__":
    main()
