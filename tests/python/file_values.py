"""Values stored in value files (BIG_TEXT, BIG_BYTES) across languages.

  write DIR             stores "big-text" and "big-bytes" for C++ to read
  check-and-delete DIR  checks the two C++-written values and their modes,
                        deletes them and checks their files are gone
"""

import os
import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import BIG_BYTES, BIG_TEXT, MISSING, expect, fail, main

MODE_BINARY, MODE_TEXT = 2, 3


def write(cache):
    cache["big-text"] = BIG_TEXT
    cache["big-bytes"] = BIG_BYTES


def check_and_delete(cache):
    expect(len(cache), 2, "len(cache)")
    rows = cache._sql("SELECT key, mode, filename, size FROM Cache").fetchall()
    columns = {key: (mode, filename, size) for key, mode, filename, size in rows}
    for key, value, mode in [("big-text", BIG_TEXT, MODE_TEXT),
                             ("big-bytes", BIG_BYTES, MODE_BINARY)]:
        expect(cache.get(key, MISSING), value, f"cache[{key!r}]")
        stored_mode, filename, size = columns[key]
        expect(stored_mode, mode, f"mode of {key!r}")
        path = os.path.join(cache.directory, filename)
        expect(size, os.path.getsize(path), f"size column of {key!r}")
        del cache[key]
        if os.path.exists(path):
            fail(f"value file {path} of {key!r} still exists after del")


main({"write": write, "check-and-delete": check_and_delete})
