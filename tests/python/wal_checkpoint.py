"""Python's automatic WAL checkpoints, left to the C++ library.

  disable DIR          stores sqlite_wal_autocheckpoint = 0 in the Settings table
  expect_disabled DIR  checks that a new connection has wal_autocheckpoint 0
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
import diskcache
from interop import expect, fail


def autocheckpoint(cache):
    return cache._sql("PRAGMA wal_autocheckpoint").fetchone()[0]


def disable(directory):
    with diskcache.Cache(directory, sqlite_wal_autocheckpoint=0) as cache:
        expect(autocheckpoint(cache), 0, "PRAGMA wal_autocheckpoint")


def expect_disabled(directory):
    with diskcache.Cache(directory) as cache:
        expect(autocheckpoint(cache), 0, "PRAGMA wal_autocheckpoint of a new connection")
        cache["python"] = "still writes"
        expect(cache["python"], "still writes", "cache['python']")


commands = {"disable": disable, "expect_disabled": expect_disabled}
if len(sys.argv) != 3 or sys.argv[1] not in commands:
    fail(f"usage: {sys.argv[0]} {{{','.join(commands)}}} DIRECTORY")
commands[sys.argv[1]](sys.argv[2])
