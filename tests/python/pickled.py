"""Values Python can only pickle (MODE_PICKLE), which C++ reads as Values.

  write DIR       stores pickled values (inline and in a value file) and a str
  write-key DIR   stores a str value under a tuple key (a pickled key, raw=0)
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import expect, main

MODE_PICKLE = 4


def write(cache):
    cache["tuple"] = (1, "two", 3.0)
    cache["dict"] = {"a": [1, 2]}
    cache["big-list"] = list(range(20_000))  # pickle > 32 KiB: a value file
    cache["plain"] = "still readable"
    modes = dict(cache._sql("SELECT key, mode FROM Cache").fetchall())
    for key in ("tuple", "dict", "big-list"):
        expect(modes[key], MODE_PICKLE, f"mode of {key!r}")
    (filename,) = cache._sql(
        "SELECT filename FROM Cache WHERE key = 'big-list'").fetchone()
    expect(filename is not None, True, "big-list stored in a value file")


def write_key(cache):
    cache[(1, "two")] = "value of a tuple key"
    (raw,) = cache._sql("SELECT raw FROM Cache").fetchone()
    expect(raw, 0, "raw flag of the tuple key")


main({"write": write, "write-key": write_key})
