"""Python's diskcache.FanoutCache on a directory a C++ FanoutCache uses.

  write DIRECTORY SHARDS   stores ITEMS through FanoutCache(DIRECTORY, SHARDS)
  check DIRECTORY SHARDS   finds every item of ITEMS, and nothing else

Called by fanout_cache_test.cpp; exits non-zero with a message on any
mismatch. ITEMS mirrors fanout_items() there: change both or neither.
"""

import sys

import diskcache

ITEMS = [
    (0, "zero"),
    (1, 1),
    (-1, -1.5),
    (2**63 - 1, "max"),
    (-(2**63), "min"),
    (2**32 - 1, b"\x00\x01"),
    (1.5, "one and a half"),
    (-2.25, 7),
    ("", "empty"),
    ("abc", 38600999),
    ("héllo ✓", "unicode"),
    (b"", b""),
    (b"\x00\xff", "bytes key"),
] + [(f"key-{number}", number) for number in range(200)]


def fail(message):
    sys.exit(f"fanout.py: {message}")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "check"):
        fail("usage: fanout.py {write,check} DIRECTORY SHARDS")
    command, directory, shards = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cache = diskcache.FanoutCache(directory, shards=shards)
    if command == "write":
        for key, value in ITEMS:
            cache[key] = value
        return
    for key, value in ITEMS:
        found = cache.get(key, default=KeyError, retry=True)
        if type(found) is not type(value) or found != value:
            fail(f"cache[{key!r}] is {found!r}, expected {value!r}")
    if len(cache) != len(ITEMS):
        fail(f"len(cache) is {len(cache)}, expected {len(ITEMS)}")


if __name__ == "__main__":
    main()
