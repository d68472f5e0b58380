"""Items of C++'s typed containers (tuple, vector, map, set, optional, bool
through disk::Auto) and memoized results, shared with Python diskcache.
typed_interop_test.cpp holds the same data: change both or neither.

  write DIR           stores TYPED_ITEMS and NESTED, and memoizes twice(21),
                      add(2, 3) and join(["a", "b"], "-")
  check DIR           checks what C++ stored: TYPED_ITEMS and NESTED
  key-bytes DIR       stores each key of TYPED_ITEMS's pickled form as a value
                      under its index, for C++ to compare with its own
  memoize DIR N       calls the memoized twice(N), add(4, 5) and join(["c",
                      "d"], "+"): fails if Python has to compute any
  iterate DIR KIND... lists every key, checks that its type is one of
                      KIND (bytes, str, tuple) and reads its value
  shape-errors DIR    stores values of the wrong shape for C++ to refuse
"""

import pickle
import pickletools
import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import expect, fail, main

# (key, value): keys as Cache<std::tuple<std::string, std::int64_t>, ...>
# stores them, values of each mapped shape.
TYPED_ITEMS = [
    (("alpha", 1), [1.5, -2.0, 0.0]),
    (("beta", -(2**63)), []),
    (("", 2**63 - 1), [1e300]),
]
NESTED = {
    "map": {"a": [1, 2, 3], "b": []},
    "pairs": [("x", 1.5), ("y", -0.5)],
    "set": {1, 2, 3},
    "none": None,
    "some": 42,
    "flags": (True, False),
    "big": [2**64 - 1],
    "bytes": (b"\x00\x01", "text"),
}

calls = []


def memoized(cache):
    @cache.memoize(name="twice")
    def twice(number):
        calls.append(("twice", number))
        return 2 * number

    @cache.memoize(name="add")
    def add(a, b):
        calls.append(("add", a, b))
        return (a + b, [a, b])

    @cache.memoize(name="join")
    def join(words, separator):
        calls.append(("join", words))
        return separator.join(words)

    return twice, add, join


def write(cache):
    for key, value in TYPED_ITEMS:
        cache[key] = value
    for name, value in NESTED.items():
        cache[name] = value
    twice, add, join = memoized(cache)
    expect(twice(21), 42, "twice(21)")
    expect(add(2, 3), (5, [2, 3]), "add(2, 3)")
    expect(join(["a", "b"], "-"), "a-b", "join")
    expect(len(calls), 3, "calls")


def check(cache):
    for key, value in TYPED_ITEMS:
        expect(cache.get(key), value, f"value of {key!r}")
    for name, value in NESTED.items():
        expect(cache.get(name), value, f"value of {name!r}")


def key_bytes(cache):
    for index, (key, _) in enumerate(TYPED_ITEMS):
        cache[f"key-{index}"] = pickletools.optimize(pickle.dumps(key, 5))


def memoize(cache, number):
    number = int(number)
    twice, add, join = memoized(cache)
    expect(twice(number), 2 * number, f"twice({number})")
    expect(add(4, 5), (9, [4, 5]), "add(4, 5)")
    expect(join(["c", "d"], "+"), "c+d", "join")
    if calls:
        fail(f"Python computed what C++ memoized: {calls}")


def iterate(cache, *kinds):
    """Every key is of one of `kinds` (type names) and finds its value."""
    keys = list(cache)  # raised UnpicklingError on keys C++ stored encoded
    if not keys:
        fail("no keys")
    for key in keys:
        if type(key).__name__ not in kinds:
            fail(f"key {key!r} is a {type(key).__name__}, not one of {kinds}")
        if cache.get(key) is None:
            fail(f"no value under {key!r}")


def shape_errors(cache):
    cache["list-for-tuple"] = ["a", 1]
    cache["tuple-of-3"] = ("a", 1, 2)
    cache["int-too-big"] = [2**31]
    cache["str-for-bytes"] = ("text", "text")
    cache["float-in-ints"] = [1, 2.5]


main({
    "write": write,
    "check": check,
    "key-bytes": key_bytes,
    "memoize": memoize,
    "iterate": iterate,
    "shape-errors": shape_errors,
})
