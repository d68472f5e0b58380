"""A Python writer for crash_test.cpp: sets and deletes its own keys until it is killed.

Called as `crash_writer.py DIRECTORY LOG WRITER RUN SEED`. It logs like the C++
workers (one write(2) per line, so a line is whole or absent after SIGKILL):
"ready" once the cache is open, then "I <op>" before and "A <result>" after each
operation. Its values are the C++ test's payloads (model_support.hpp
make_payload), so the parent checks them the same way.
"""

import os
import random
import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
import diskcache

KEYS_PER_WRITER = 12
SMALL = 200
FILE_SIZED = 40000  # above disk_min_file_size: a value file
MASK = 2**64 - 1


def fnv1a(text):
    value = 14695981039346656037
    for byte in text.encode():
        value = ((value ^ byte) * 1099511628211) & MASK
    return value


def make_payload(key, id_, length):
    body = f"{key}|{id_}|{length}|"
    seed = fnv1a(id_)
    count = max(0, length - 17 - len(body))
    body += "".join(chr(ord("a") + (seed + i) % 2**64 % 26) for i in range(count))
    return body + "|" + format(fnv1a(body), "016x")


def main():
    directory, log_path, writer, run, seed = sys.argv[1:6]
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def line(text):
        os.write(log, (text + "\n").encode())

    cache = diskcache.Cache(directory)
    line("ready")
    rng = random.Random(int(seed))
    sequence = 0
    while True:
        key = f"w{writer}k{rng.randrange(KEYS_PER_WRITER)}"
        if rng.randrange(5) == 0:
            line(f"I erase {key}")
            line("A 1" if cache.delete(key, retry=True) else "A 0")
            continue
        sequence += 1
        id_ = f"{run}w{writer}s{sequence}"
        length = FILE_SIZED if rng.randrange(5) == 0 else SMALL
        payload = make_payload(key, id_, length)
        line(f"I set {key} {id_}")
        cache.set(key, payload, retry=True)
        line("A ok")


main()
