"""Python's side of tool_test.cpp: caches and deques the diskcache command reads
and writes.

  write DIR            stores one item of each kind (printing the sizes of the
                       two pickles it stores as `name=size` lines)
  expect DIR KEY REPR  fails unless repr(cache[KEY]) == REPR (KEY is a Python
                       literal, e.g. "'name'" or 42)
  missing DIR KEY      fails if KEY is in the cache
  deque-push DIR V...  appends each V (a Python literal) to a Deque
  deque-expect DIR R   fails unless repr(list(deque)) == R
"""

import ast
import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
import diskcache
from interop import expect, fail


def write(directory):
    with diskcache.Cache(directory) as cache:
        cache["text"] = "héllo"
        cache[7] = -42
        cache[b"\x00key"] = 2.5
        cache["bytes"] = b"\x00\x01'"
        cache["tagged"] = "t"
        cache.set("tagged", "t", tag="blue")
        cache.set("soon", 1, expire=0.05)
        cache["tuple"] = (1, "two")  # pickled inline
        cache["big-list"] = list(range(20_000))  # pickled into a value file
        cache[("tuple", "key")] = "value of a pickled key"
        rows = dict(cache._sql(
            "SELECT key, coalesce(length(value), size) FROM Cache WHERE mode = 4").fetchall())
    print(f"tuple={rows['tuple']}")
    print(f"big-list={rows['big-list']}")


def expect_value(directory, key, text):
    with diskcache.Cache(directory) as cache:
        expect(repr(cache[ast.literal_eval(key)]), text, f"value of {key}")


def missing(directory, key):
    with diskcache.Cache(directory) as cache:
        if ast.literal_eval(key) in cache:
            fail(f"{key} is still in the cache")


def deque_push(directory, *values):
    deque = diskcache.Deque(directory=directory)
    deque.extend(ast.literal_eval(value) for value in values)


def deque_expect(directory, text):
    expect(repr(list(diskcache.Deque(directory=directory))), text, "deque items")


COMMANDS = {"write": write, "expect": expect_value, "missing": missing,
            "deque-push": deque_push, "deque-expect": deque_expect}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        fail(f"usage: {sys.argv[0]} {{{','.join(COMMANDS)}}} DIRECTORY [ARGS...]")
    COMMANDS[sys.argv[1]](*sys.argv[2:])
