"""Python's diskcache.Deque on a directory a C++ Deque uses.

Called as `deque.py COMMAND DIRECTORY` by deque_test.cpp; exits non-zero with
a message on any mismatch.
"""

import sys
import time

import diskcache


def check(actual, expected, what):
    if actual != expected:
        sys.exit(f"{what}: got {actual!r}, expected {expected!r}")


def main():
    command, directory = sys.argv[1:3]
    deque = diskcache.Deque(directory=directory)
    if command == "consume":
        check(len(deque), 4, "length")
        check(list(deque), ["zero", "one", "two", "three"], "items")
        check(deque.popleft(), "zero", "popleft")
        check(deque.pop(), "three", "pop")
        check(deque.popleft(), "one", "popleft")
        check(deque.popleft(), "two", "popleft")
        check(len(deque), 0, "length after")
    elif command == "produce":
        deque.extend(["a", "b", "c"])
        deque.appendleft("left")
    elif command == "push-later":
        time.sleep(0.3)
        deque.append("from python")
    elif command == "sees-only-free":
        check(len(deque), 1, "length")
        check(list(deque), ["free"], "items")
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
