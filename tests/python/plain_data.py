"""Python's side of pickle_interop_test.cpp: random plain data (tuples,
lists, dicts, sets, frozensets, None, bools, ints of any size, floats, str,
bytes, bytearray), nested, as keys and values, compared with C++ through a
canonical text form: Python's repr with the entries of dicts and sets
sorted (canon() below; the test computes the same form in C++).

  write DIR SEED COUNT OUT   stores COUNT random items in the cache DIR and
                             writes "canon(key)<TAB>canon(value)" lines, in
                             insertion order, to OUT
  check DIR IN               fails unless the cache DIR holds exactly the
                             items of IN's lines, in order, each found again
                             by its key
  keys SEED COUNT OUT        writes, for COUNT random keys and protocols 0
                             to 5, "protocol<TAB>hex(pickle.dumps(k, p))
                             <TAB>hex(pickletools.optimize(...))" lines
  check-keys IN              fails unless each "protocol<TAB>canon<TAB>hex"
                             line of IN is a pickle of a key with that
                             canonical form that Python pickles back, for a
                             key, to the same bytes
  objects DIR                stores class instances (keys and values)
  check-objects DIR          fails unless the items C++ copied and re-keyed
                             (see the test) are what `objects` stored
"""

import collections
import datetime
import decimal
import math
import pickle
import pickletools
import random
import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
import diskcache
from interop import fail

# Characters of every UTF-8 length, quotes, escapes, and characters repr
# escapes (U+00A0, U+200B); single Latin-1 characters are the strs CPython
# shares.
ALPHABET = "ab'\"\\\n\t\x00\x7f éß€日\u200b\xa0😀\U000e0001"


def canon(value):
    kind = type(value)
    if kind is dict:
        entries = sorted(canon(k) + ": " + canon(v) for k, v in value.items())
        return "{" + ", ".join(entries) + "}"
    if kind in (set, frozenset):
        body = "{" + ", ".join(sorted(canon(e) for e in value)) + "}"
        if kind is set:
            return body if value else "set()"
        return f"frozenset({body})" if value else "frozenset()"
    if kind is list:
        return "[" + ", ".join(canon(e) for e in value) + "]"
    if kind is tuple:
        return "(" + ", ".join(canon(e) for e in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def text(self):
        n = self.r.choice([0, 1, 1, 2, 3, 8, 30])
        return "".join(self.r.choice(ALPHABET) for _ in range(n))

    def data(self):
        n = self.r.choice([0, 1, 1, 2, 5, 40])
        return bytes(self.r.randrange(256) for _ in range(n))

    def integer(self):
        r = self.r
        return r.choice([0, 1, -1, 255, 256, 65535, 65536, -129, 2**31, -(2**31) - 1,
                         2**63 - 1, -(2**63), 2**63, -(2**64), r.randrange(-10**6, 10**6),
                         r.getrandbits(r.choice([10, 62, 70, 200, 2000])) * r.choice([1, -1])])

    def real(self, nan):
        r = self.r
        choices = [0.0, -0.0, 1.5, 1e16, 1e-5, 0.1, 1e300, -2.5e-300, float("inf"),
                   float("-inf"), r.random(), r.uniform(-1e20, 1e20)]
        return r.choice(choices + [float("nan")] if nan else choices)

    def hashable(self, depth):
        k = self.r.randrange(8 if depth < 4 else 6)
        if k == 0:
            return None
        if k == 1:
            return self.r.random() < 0.5
        if k == 2:
            return self.integer()
        if k == 3:
            return self.real(nan=False)  # NaN keys: see pickle.hpp
        if k == 4:
            return self.text()
        if k == 5:
            return self.data()
        if k == 6:
            return tuple(self.hashable(depth + 1) for _ in range(self.r.randrange(5)))
        return frozenset(self.hashable(depth + 1) for _ in range(self.r.randrange(5)))

    def value(self, depth=0):
        r = self.r
        k = r.randrange(14 if depth < 4 else 8)
        if k < 6:
            return self.hashable(4)
        if k == 6:
            return self.real(nan=True)
        if k == 7:
            return bytearray(self.data())
        if k == 8:
            return [self.value(depth + 1) for _ in range(r.randrange(6))]
        if k == 9:
            return tuple(self.value(depth + 1) for _ in range(r.randrange(6)))
        if k == 10:
            return {self.hashable(depth + 1): self.value(depth + 1) for _ in range(r.randrange(6))}
        if k == 11:
            return {self.hashable(depth + 1) for _ in range(r.randrange(6))}
        if k == 12:
            return frozenset(self.hashable(depth + 1) for _ in range(r.randrange(6)))
        return self.hashable(depth)

    def key(self):
        """A cache key: hashable data, now and then a list or a set (the
        cache pickles them too), never a top-level None or bool (C++ stores
        those raw: see docs/format.md)."""
        while True:
            k = self.r.randrange(10)
            key = [self.value(2)] if k == 0 else {self.hashable(3)} if k == 1 else self.hashable(0)
            if key is not None and type(key) is not bool:
                return pickle.loads(pickle.dumps(key))  # the objects a loaded key shares


def identity(key):
    """What the cache tells keys apart by: SQLite compares raw numbers by
    value (1 and 1.0 are one key), everything else by its stored form."""
    if type(key) in (int, float) and -(2**63) <= key < 2**63:
        return ("number", float(key))
    return ("other", canon(key))


def top_level_value(generator):
    value = generator.value()
    # Python stores a float raw, and SQLite turns a NaN into NULL.
    return None if type(value) is float and math.isnan(value) else value


def write(directory, seed, count, out):
    generator = Generator(int(seed))
    items = {}
    while len(items) < int(count):
        key = generator.key()
        value = top_level_value(generator)
        if len(items) % 1000 == 7:
            value = list(range(generator.r.randrange(9000, 20000)))  # > 32 KiB: a value file
        items.setdefault(identity(key), (key, value))
    with diskcache.Cache(directory) as cache, open(out, "w", encoding="utf-8") as lines:
        with cache.transact():
            for key, value in items.values():
                cache[key] = value
                lines.write(canon(key) + "\t" + canon(value) + "\n")


def check(directory, source):
    with open(source, encoding="utf-8") as lines:
        expected = [line.rstrip("\n").split("\t") for line in lines]
    with diskcache.Cache(directory) as cache:
        keys = list(cache)
        if len(keys) != len(expected):
            fail(f"{len(keys)} items, expected {len(expected)}")
        for index, (key, (key_text, value_text)) in enumerate(zip(keys, expected)):
            if canon(key) != key_text:
                fail(f"key {index}: got {canon(key)[:200]}, expected {key_text[:200]}")
            value = cache[key]  # found again: C++ wrote Python's key bytes
            if canon(value) != value_text:
                fail(f"value {index}: got {canon(value)[:200]}, expected {value_text[:200]}")


def keys(seed, count, out):
    generator = Generator(int(seed))
    with open(out, "w") as lines:
        for _ in range(int(count)):
            key = generator.key()
            for protocol in range(6):
                data = pickle.dumps(key, protocol)
                lines.write(f"{protocol}\t{data.hex()}\t{pickletools.optimize(data).hex()}\n")


def check_keys(source):
    with open(source, encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            protocol, text, data = line.rstrip("\n").split("\t")
            key = pickle.loads(bytes.fromhex(data))
            if canon(key) != text:
                fail(f"line {number}: loads gives {canon(key)[:200]}, expected {text[:200]}")
            again = pickletools.optimize(pickle.dumps(key, int(protocol))).hex()
            if again != data:
                fail(f"line {number}: Python's key is {again[:200]}, C++'s {data[:200]}")


class Point:
    """A class instance: C++ keeps its pickle whole."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))


def objects_expected():
    return {
        "date": datetime.datetime(2024, 2, 29, 12, 30, 15, 123456),
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
        "decimal": decimal.Decimal("3.14159265358979323846"),
        "point": Point(1, [2, 3]),
        "complex": 1 + 2j,
    }


OBJECT_KEY = datetime.date(2020, 1, 2)


def objects(directory):
    with diskcache.Cache(directory) as cache:
        for name, value in objects_expected().items():
            cache[name] = value
        cache[OBJECT_KEY] = "under an object key"


def check_objects(directory):
    with diskcache.Cache(directory) as cache:
        for name, value in objects_expected().items():
            if ("copy", name) not in cache or cache[("copy", name)] != value:
                fail(f"copy of {name}: got {cache.get(('copy', name))!r}, expected {value!r}")
            if name in cache:
                fail(f"{name} was not erased")
        if cache.get(OBJECT_KEY) != "stored again":
            fail(f"under the object key: {cache.get(OBJECT_KEY)!r}")
        if cache.get("moved") != "under an object key":
            fail(f"moved: {cache.get('moved')!r}")


COMMANDS = {"write": write, "check": check, "keys": keys, "check-keys": check_keys,
            "objects": objects, "check-objects": check_objects}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        fail(f"usage: {sys.argv[0]} {{{','.join(COMMANDS)}}} ARGS...")
    COMMANDS[sys.argv[1]](*sys.argv[2:])
