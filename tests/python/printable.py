"""Writes the code points Python does not print in a repr() (those for
which str.isprintable() is false), as "first last" ranges, one a line, to
the file named by the only argument (value_test.cpp compares Value::repr
with them)."""

import sys

with open(sys.argv[1], "w") as out:
    first = None
    for code in range(0x110000 + 1):
        printable = code == 0x110000 or chr(code).isprintable()
        if not printable and first is None:
            first = code
        elif printable and first is not None:
            out.write(f"{first} {code - 1}\n")
            first = None
