"""int, float, str and bytes keys and values (RAW_ITEMS) across languages.

  write DIR   stores RAW_ITEMS for C++ to read
  check DIR   checks that DIR holds exactly RAW_ITEMS (written by C++)
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import MISSING, RAW_ITEMS, expect, main, typed_keys


def write(cache):
    for key, value in RAW_ITEMS:
        cache[key] = value


def check(cache):
    expect(len(cache), len(RAW_ITEMS), "len(cache)")
    expect(typed_keys(cache), {(type(k).__name__, k) for k, _ in RAW_ITEMS}, "keys")
    for key, value in RAW_ITEMS:
        expect(cache.get(key, MISSING), value, f"cache[{key!r}]")


main({"write": write, "check": check})
