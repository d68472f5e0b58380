"""Streamed values (set(key, file, read=True), get(key, read=True)) across
languages. SIZE is the length of the pattern stored under "streamed".

  check DIR SIZE   checks the value C++ stored with set_stream: a value file
                   of mode 2 and SIZE bytes that get() and read() return
  write DIR SIZE   stores the pattern under "streamed" with
                   set(..., read=True) for C++ read() to check
"""

import io
import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import expect, main

MODE_BINARY = 2
KEY = "streamed"


def pattern(size):
    """Mirrors pattern_bytes in stream_test.cpp: 64-bit little-endian words,
    word j = (j + 1) * 0x9E3779B97F4A7C15 mod 2**64, cut to `size` bytes."""
    words = (((j + 1) * 0x9E3779B97F4A7C15) % 2**64 for j in range((size + 7) // 8))
    return b"".join(word.to_bytes(8, "little") for word in words)[:size]


def check(cache, size):
    expected = pattern(int(size))
    (mode, filename, stored_size) = cache._sql(
        "SELECT mode, filename, size FROM Cache WHERE key = ?", (KEY,)).fetchone()
    expect(mode, MODE_BINARY, "mode")
    expect(filename is not None, True, "stored in a value file")
    expect(stored_size, len(expected), "size column")
    expect(cache.get(KEY), expected, f"cache.get({KEY!r})")
    with cache.read(KEY) as handle:
        expect(handle.read(), expected, f"cache.read({KEY!r})")


def write(cache, size):
    expect(cache.set(KEY, io.BytesIO(pattern(int(size))), read=True), True, "set")


main({"check": check, "write": write})
