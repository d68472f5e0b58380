"""Shared by the interop scripts that python_interop_test.cpp runs.

Every script is called as `script.py COMMAND DIRECTORY [ARGS...]` with Debian's
python3 (which has python3-diskcache 5.x). A script checks what it reads
itself and exits non-zero with a message naming the mismatch; the C++ test
only looks at the exit status. The data below mirror the tables in
python_interop_test.cpp: change both or neither.
"""

import os
import sys

import diskcache

# Raw keys and values: the kinds Python diskcache stores natively.
RAW_ITEMS = [
    (0, 0),
    (-1, -42),
    (2**63 - 1, -(2**63)),
    (-(2**63), 2**63 - 1),
    (1.5, -0.25),
    (2.0, 1.0),
    (-1e300, 1e-300),
    (3.141592653589793, float("inf")),
    ("", ""),
    ("ascii", "value"),
    ("héllo wörld ✓ 日本語 🎉", "ünïcödé ✓ 🎉"),
    ("nul\0inside", "text\0with\0nuls"),
    (b"", b""),
    (b"\0", b"\0\0\x01\0"),
    (b"\xff\xfe binary key", bytes(range(256))),
    ("int", 12345678901234),
    (7, "seven"),
    (b"float", 2.5),
    ("bytes", b"\0\x01\x02"),
]

# Values above the default disk_min_file_size (32 KiB): stored in value files.
# BIG_TEXT is 102,000 characters, 120,000 bytes of UTF-8.
BIG_TEXT = "0123456789abcdé✓\n" * 6000
BIG_BYTES = bytes(i % 256 for i in range(100_000))

MISSING = object()


def fail(message):
    sys.exit(f"{os.path.basename(sys.argv[0])}: {message}")


def expect(actual, expected, what):
    """Fails unless `actual` equals `expected` and has the same type."""
    if type(actual) is not type(expected) or actual != expected:
        fail(f"{what}: got {shorten(actual)}, expected {shorten(expected)}")


def shorten(value):
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(value)} long)"


def value_files(directory):
    """Paths of the value files under `directory`."""
    return sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(directory)
        for name in names
        if name.endswith(".val")
    )


def typed_keys(cache):
    """The keys of `cache` as a set of (type name, key), so 1 != 1.0."""
    return {(type(key).__name__, key) for key in cache}


def main(commands):
    """Runs commands[argv[1]](cache, *argv[3:]) on the cache in argv[2]."""
    if len(sys.argv) < 3 or sys.argv[1] not in commands:
        fail(f"usage: {sys.argv[0]} {{{','.join(commands)}}} DIRECTORY [ARGS...]")
    command, directory, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if not diskcache.__version__.startswith("5."):
        fail(f"need diskcache 5.x, found {diskcache.__version__}")
    with diskcache.Cache(directory) as cache:
        commands[command](cache, *args)
