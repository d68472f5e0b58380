"""Python's diskcache.Index on directories index_test.cpp writes and reads.

  read-cpp DIR   checks the index index_test.cpp wrote (CPP_ITEMS, in
                 insertion order and in key order, and its eviction policy),
                 then pops the last item and stores "from python" = 7
  write DIR      writes PYTHON_ITEMS and pushes "job", then changes two items;
                 index_test.cpp checks the result
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
import diskcache
from interop import BIG_BYTES, BIG_TEXT, expect, fail

# What index_test.cpp leaves in the index, in insertion order.
CPP_ITEMS = [
    ("b", 20),
    (1.5, b"\0\x01"),
    (b"key", "bytes key"),
    ("big", BIG_TEXT),
    ("a", 1),
    (3, "again"),
]
# The same keys as SQLite orders them: numbers, then str, then bytes.
CPP_KEY_ORDER = [1.5, 3, "a", "b", "big", b"key"]

# What this script stores, in this order; index_test.cpp expects the result.
PYTHON_ITEMS = [
    ("x", 1),
    (-7, 2.5),
    (-2.5, "minus two and a half"),  # outside the queue's key range
    (b"\xff", b"bytes"),
    ("big bytes", BIG_BYTES),
    ("", "empty key"),
]


def expect_items(got, expected, what):
    expect(len(got), len(expected), f"number of {what}")
    for i, ((key, value), (want_key, want_value)) in enumerate(zip(got, expected)):
        expect(key, want_key, f"key {i} of {what}")
        expect(value, want_value, f"value of {want_key!r} in {what}")


def read_cpp(index):
    expect(index.cache.eviction_policy, "none", "eviction policy")
    expect_items(list(index.items()), CPP_ITEMS, "index.items()")
    expect(list(reversed(index)), [key for key, _ in reversed(CPP_ITEMS)], "reversed(index)")
    expect(list(index.cache.iterkeys()), CPP_KEY_ORDER, "index.cache.iterkeys()")
    expect_items([index.peekitem(last=False)], CPP_ITEMS[:1], "index.peekitem(last=False)")
    expect_items([index.popitem()], CPP_ITEMS[-1:], "index.popitem()")
    index["from python"] = 7


def write(index):
    for key, value in PYTHON_ITEMS:
        index[key] = value
    expect(index.push("job"), 500000000000000, "index.push('job')")
    index["x"] = 10  # keeps its place
    del index[-7]


def main():
    commands = {"read-cpp": read_cpp, "write": write}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        fail(f"usage: {sys.argv[0]} {{{','.join(commands)}}} DIRECTORY")
    if not diskcache.__version__.startswith("5."):
        fail(f"need diskcache 5.x, found {diskcache.__version__}")
    commands[sys.argv[1]](diskcache.Index(sys.argv[2]))


main()
