"""len() and incr() on a cache C++ also uses.

  run DIR LEN KEY DELTA RESULT   checks len(cache) == LEN, then that
                                 cache.incr(KEY, DELTA) returns RESULT
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import expect, main


def run(cache, length, key, delta, result):
    expect(len(cache), int(length), "len(cache)")
    expect(cache.incr(key, int(delta)), int(result), f"cache.incr({key!r}, {delta})")


main({"run": run})
