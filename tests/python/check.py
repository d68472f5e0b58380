"""Cache.check() across languages.

  populate DIR  stores, replaces and deletes small and file-sized values
  clean DIR     checks that cache.check() reports no warnings
  fix DIR       checks that cache.check(fix=True) finds nothing to repair
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import BIG_BYTES, BIG_TEXT, expect, fail, main, value_files


def populate(cache):
    for i in range(5):
        cache[f"text-{i}"] = BIG_TEXT
        cache[f"bytes-{i}"] = BIG_BYTES
        cache[i] = f"small {i}"
    del cache["text-0"]
    cache.pop("bytes-1")
    cache["text-2"] = "now small"
    cache["bytes-3"] = BIG_BYTES[:50_000]
    cache.set("tagged", BIG_TEXT, tag="drop")
    cache.evict("drop")
    expect(len(cache), 13, "len(cache)")
    expect(len(value_files(cache.directory)), 7, "number of value files")
    clean(cache)


def clean(cache, fix=False):
    warnings = cache.check(fix=fix)
    if warnings:
        fail(f"cache.check(fix={fix}) warned:\n" + "\n".join(str(w.message) for w in warnings))


main({"populate": populate, "clean": clean, "fix": lambda cache: clean(cache, fix=True)})
