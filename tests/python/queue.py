"""Queues on a cache (push, pull, peek) across languages.

  pull-cpp DIR   pulls the queues queue_test.cpp pushed (CPP_PUSHES) and checks
                 keys, values and order, then that the queues are empty and
                 no value file is left
  push DIR       pushes PYTHON_PUSHES, checking the keys Python chose
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
from interop import expect, main, value_files

# Values above disk_min_file_size (32 KiB), so they cross in value files;
# queue_test.cpp builds the same ones.
BIG_BYTES = bytes(range(256)) * 200  # 51,200 bytes
BIG_TEXT = "✓é" * 10000  # 20,000 characters, 50,000 bytes of UTF-8

# What queue_test.cpp pushes, in its order: (prefix, side, value, key).
CPP_PUSHES = [
    (None, "back", "first", 500000000000000),
    (None, "back", "second", 500000000000001),
    (None, "front", "zeroth", 499999999999999),
    (None, "back", BIG_BYTES, 500000000000002),
    ("jobs", "back", 7, "jobs-500000000000000"),
    ("jobs", "back", 2.5, "jobs-500000000000001"),
    ("jobs", "front", "urgent", "jobs-499999999999999"),
]

# What this script pushes, in this order: (prefix, side, value, key).
PYTHON_PUSHES = [
    (None, "back", "a", 500000000000000),
    (None, "back", b"b", 500000000000001),
    (None, "front", -3, 499999999999999),
    (None, "front", BIG_TEXT, 499999999999998),
    ("jobs", "back", "x", "jobs-500000000000000"),
    ("jobs", "front", 1.25, "jobs-499999999999999"),
    ("jobs", "back", b"z", "jobs-500000000000001"),
]


def expect_item(got, key, value, what):
    """Checks a (key, value) pair, each element with its type."""
    expect(got[0], key, f"key of {what}")
    expect(got[1], value, f"value of {what}")


def front_to_back(prefix, pushes):
    """The (key, value) items `pushes` left in queue `prefix`, front first."""
    return sorted((key, value) for p, _, value, key in pushes if p == prefix)


def pull_cpp(cache):
    # The integer queue from the front: keys in ascending order.
    for key, value in front_to_back(None, CPP_PUSHES):
        expect_item(cache.pull(), key, value, "cache.pull()")
    expect_item(cache.pull(), None, None, "cache.pull() of an empty queue")
    # The "jobs" queue from both ends; peek leaves the item.
    front, middle, back = front_to_back("jobs", CPP_PUSHES)
    expect_item(cache.pull("jobs", side="back"), *back, "cache.pull('jobs', side='back')")
    expect_item(cache.pull("jobs"), *front, "cache.pull('jobs')")
    expect_item(cache.peek("jobs"), *middle, "cache.peek('jobs')")
    expect_item(cache.pull("jobs"), *middle, "cache.pull('jobs')")
    expect_item(cache.pull("jobs"), None, None, "cache.pull('jobs') of an empty queue")
    expect(len(cache), 0, "len(cache)")
    expect(value_files(cache.directory), [], "value files left")


def push(cache):
    for prefix, side, value, key in PYTHON_PUSHES:
        expect(cache.push(value, prefix=prefix, side=side), key,
               f"cache.push(..., prefix={prefix!r}, side={side!r})")


main({"pull-cpp": pull_cpp, "push": push})
