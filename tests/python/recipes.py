"""Python's diskcache recipes on keys a C++ process uses.

  locked DIRECTORY KEY            exits 0 if Lock(cache, KEY) is held, 3 if not
  lock DIRECTORY KEY              acquires Lock(cache, KEY) and leaves it held
  acquire DIRECTORY KEY VALUE     acquires BoundedSemaphore(cache, KEY, VALUE) once
  release DIRECTORY KEY VALUE     releases it once
  free DIRECTORY KEY COUNT        checks the semaphore's stored count of free places

DIRECTORY is opened as a Cache, or as a FanoutCache with 8 shards when its
name ends in "fanout". Called by recipes_test.cpp; exits non-zero with a
message on any mismatch.
"""

import sys

import diskcache
from diskcache.recipes import BoundedSemaphore, Lock


def fail(message, status=1):
    print(f"recipes.py: {message}", file=sys.stderr)
    sys.exit(status)


def main():
    if len(sys.argv) < 4:
        fail("usage: recipes.py COMMAND DIRECTORY KEY [NUMBER]")
    command, directory, key = sys.argv[1:4]
    number = int(sys.argv[4]) if len(sys.argv) > 4 else None
    if directory.endswith("fanout"):
        cache = diskcache.FanoutCache(directory, shards=8)
    else:
        cache = diskcache.Cache(directory)
    if command == "locked":
        if not Lock(cache, key).locked():
            fail(f"lock {key!r} is free", status=3)
    elif command == "lock":
        Lock(cache, key).acquire()
    elif command == "acquire":
        BoundedSemaphore(cache, key, value=number).acquire()
    elif command == "release":
        BoundedSemaphore(cache, key, value=number).release()
    elif command == "free":
        free = cache.get(key, retry=True)
        if free != number:
            fail(f"semaphore {key!r} has {free!r} free places, expected {number}")
    else:
        fail(f"unknown command {command}")


if __name__ == "__main__":
    main()
