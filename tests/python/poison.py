"""Poison items in a queue Python shares with a typed C++ Deque: items C++
cannot decode as its type, and the dead letters C++ moves them to.

Called as `poison.py COMMAND DIRECTORY` by dead_letter_test.cpp and the
regression tests; exits non-zero with a message on any mismatch.
"""

import os
import sys
import warnings

import diskcache

DEAD_LETTERS = "cache.db-dead-letters"
BIG = "big text in a value file " * 4000


class Opaque:
    """A pickled object: Python reads it back, C++ only keeps its bytes."""

    def __init__(self, number):
        self.number = number

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.number == self.number

    def __repr__(self):
        return f"Opaque({self.number})"


def check(actual, expected, what):
    if actual != expected:
        sys.exit(f"{what}: got {actual!r}, expected {expected!r}")


def main():
    command, directory = sys.argv[1:3]
    dead_directory = os.path.join(directory, DEAD_LETTERS)
    if command == "push-mixed":
        # Integers for a Deque<std::int64_t>, with poison between them.
        deque = diskcache.Deque(directory=directory)
        deque.extend([1, ("tuple", 1), 2, "text", 3, Opaque(4), BIG, 5])
    elif command == "after-cpp-pops":
        # C++ popped 1, 2, 3 and 5; the rest went to the dead letters.
        deque = diskcache.Deque(directory=directory)
        check(len(deque), 0, "length of the queue")
        check(list(deque), [], "items of the queue")
        with warnings.catch_warnings(record=True) as found:
            warnings.simplefilter("always")
            diskcache.Cache(directory).check(fix=True)
        check([str(w.message) for w in found], [], "check(fix=True) of the queue")
        dead = diskcache.Deque(directory=dead_directory)
        check(list(dead), [("tuple", 1), "text", Opaque(4), BIG], "dead letters")
        # The queue keeps working for Python, and so do the dead letters.
        deque.append(6)
        check(deque.popleft(), 6, "popleft after")
        check(dead.popleft(), ("tuple", 1), "first dead letter")
        check(len(dead), 3, "dead letters left")
    elif command == "push-tuple-head":
        diskcache.Deque(directory=directory).extend([("tuple", 1), 7])
    elif command == "push-object-head":
        diskcache.Deque(directory=directory).extend([Opaque(1), "next"])
    elif command == "tuple-at-front":
        deque = diskcache.Deque(directory=directory)
        check(deque.popleft(), ("tuple", 1), "popleft")
    elif command == "dead-letters-hold-object":
        dead = diskcache.Deque(directory=dead_directory)
        check(list(dead), [Opaque(1)], "dead letters")
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
