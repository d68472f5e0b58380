"""Prints the pickles pickle_test.cpp compares the C++ codec with, as C++
string literals of hexadecimal digits: one assortment of plain data at
protocols 0 to 5, each as pickle.dumps writes it and as Python diskcache
stores a key (pickletools.optimize). Run with Debian's python3 to refresh
the fixtures there:

  /usr/bin/python3 tests/python/pickle_fixtures.py
"""

import pickle
import pickletools

# Mirrors assortment() in pickle_test.cpp. Built at run time so that no
# str is shared by the compiler's interning.
ASSORTMENT = [
    None, True, False, 0, -1, 255, 256, 65536, -(2**31), 2**31, 2**63, -(2**70),
    1.5, -0.0, float("inf"), "", "".join(["a"]), "é€😀", "it's", b"", b"\x00\xff",
    bytearray(b"ab"), (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [], [1],
    {}, {"k": [1, 2]}, set(), {3}, frozenset(), frozenset({4}),
]


def literal(data):
    text = data.hex()
    lines = [text[i:i + 80] for i in range(0, len(text), 80)]
    return "\n".join(f'    "{line}"' for line in lines)


for name, transform in (("kDumps", lambda p: p), ("kKeys", pickletools.optimize)):
    print(f"// {name}[protocol]")
    print(f"const char* const {name}[] = {{")
    for protocol in range(6):
        print(literal(transform(pickle.dumps(ASSORTMENT, protocol))) + ",")
    print("};")
