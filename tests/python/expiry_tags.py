"""Expiry times and tags across languages.

  write DIR            stores the items below (expiring from now)
  check DIR NOW        checks the items below, stored by C++ at Unix time NOW,
                       and that their time columns are Unix seconds
  write-tagged DIR     stores red-1, red-2 (in a value file), blue, untagged
  evict DIR TAG COUNT  evicts TAG and checks that COUNT items went
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import BIG_BYTES, MISSING, expect, fail, main

# key: (value, seconds until expiry or None, tag or None)
ITEMS = {
    "session": ("token", 3600, "web"),
    "short": (b"x", 60, b"\0tag"),
    "forever": (1, None, 7),
    "plain": ("p", None, None),
}


def write(cache):
    for key, (value, expire, tag) in ITEMS.items():
        cache.set(key, value, expire=expire, tag=tag)


def check(cache, now):
    for key, (value, expire, tag) in ITEMS.items():
        got_value, got_expire, got_tag = cache.get(
            key, MISSING, expire_time=True, tag=True)
        expect(got_value, value, f"value of {key!r}")
        expect(got_tag, tag, f"tag of {key!r}")
        check_time(got_expire, now, expire, f"expire_time of {key!r}")
    # Python's eviction compares these with time.time(): Unix seconds.
    for key, store_time, access_time in cache._sql(
            "SELECT key, store_time, access_time FROM Cache"):
        check_time(store_time, now, 0, f"store_time of {key!r}")
        check_time(access_time, now, 0, f"access_time of {key!r}")


def check_time(got, now, seconds, what):
    """Checks that `got` is None if `seconds` is, else now + seconds +- 1."""
    if seconds is None:
        expect(got, None, what)
    elif not isinstance(got, float):
        fail(f"{what}: got {got!r}, expected a float")
    elif abs(got - (float(now) + seconds)) > 1:
        fail(f"{what}: got {got}, expected {float(now) + seconds} "
             f"(now {now} + {seconds} s) within 1 s")


def write_tagged(cache):
    cache.set("red-1", 1, tag="red")
    cache.set("red-2", BIG_BYTES, tag="red")
    cache.set("blue", 2, tag="blue")
    cache.set("untagged", 3)


def evict(cache, tag, count):
    expect(cache.evict(tag), int(count), f"cache.evict({tag!r})")


main({"write": write, "check": check, "write-tagged": write_tagged, "evict": evict})
