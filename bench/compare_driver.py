"""The workload of bench/compare on Python diskcache (Debian's
python3-diskcache 5.4), as bench/compare_driver.cpp runs it on the others.

Usage: python3 compare_driver.py VALUE_BYTES KEYS PROCESSES
Prints one line per operation: "op ops_per_s p50_us p99_us".
"""
import os
import shutil
import struct
import sys
import tempfile
import time

import diskcache

OPS = ("set", "get", "get-miss", "incr", "delete", "push", "pop")
READ_PASSES = 5  # as kReadPasses in compare_driver.cpp: reads go over the keys 5 times


def key_name(index):
    return "key-%06d" % index


def percentile(samples, fraction):
    samples = sorted(samples)
    return samples[int(fraction * (len(samples) - 1))]


def operations(cache, value, names, missing, counters):
    """Each operation: the arguments it runs on and the call, which raises
    if the result is wrong."""

    def get(key):
        if cache.get(key) is None:
            raise RuntimeError("get missed " + key)

    def get_miss(key):
        if cache.get(key) is not None:
            raise RuntimeError("get-miss found " + key)

    def pop(_):
        if cache.pull() == (None, None):
            raise RuntimeError("pop found the queue empty")

    return {
        "set": (names, lambda key: cache.set(key, value)),
        "get": (names, get),
        "get-miss": (missing, get_miss),
        "incr": (counters, cache.incr),
        "delete": (names, cache.delete),
        "push": (names, lambda _: cache.push(value)),
        "pop": (names, pop),
    }


def work(directory, value_bytes, keys, processes, index, go, report):
    cache = diskcache.Cache(directory)
    mine = range(index, keys, processes)
    table = operations(cache, "v" * value_bytes, [key_name(i) for i in mine],
                       [key_name(keys + i) for i in mine],
                       ["counter-" + key_name(i) for i in mine])
    clock = time.monotonic_ns
    for op in OPS:
        arguments, call = table[op]
        if op in ("get", "get-miss"):
            arguments = list(arguments) * READ_PASSES
        os.read(go, 1)
        latencies = []
        record = latencies.append
        start = clock()
        for argument in arguments:
            before = clock()
            call(argument)
            record(clock() - before)
        end = clock()
        payload = struct.pack("qqQ", start, end, len(latencies))
        payload += struct.pack("%dq" % len(latencies), *latencies)
        os.write(report, struct.pack("Q", len(payload)) + payload)


def read_exactly(fd, size):
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise RuntimeError("a worker died")
        data += chunk
    return data


def main():
    value_bytes, keys, processes = (int(arg) for arg in sys.argv[1:4])
    directory = tempfile.mkdtemp(prefix="dcbench-")
    try:
        diskcache.Cache(directory).close()
        workers = []
        for index in range(processes):
            go_read, go_write = os.pipe()
            report_read, report_write = os.pipe()
            pid = os.fork()
            if pid == 0:
                status = 0
                try:
                    os.close(go_write)
                    os.close(report_read)
                    work(directory, value_bytes, keys, processes, index, go_read,
                         report_write)
                except BaseException as error:  # report, then exit non-zero
                    print("compare_driver.py worker %d: %r" % (index, error),
                          file=sys.stderr)
                    status = 1
                os._exit(status)
            os.close(go_read)
            os.close(report_write)
            workers.append((pid, go_write, report_read))
        for op in OPS:
            for _, go, _ in workers:
                os.write(go, b"g")
            start, end, latencies = None, 0, []
            for _, _, report in workers:
                size = struct.unpack("Q", read_exactly(report, 8))[0]
                payload = read_exactly(report, size)
                first, last, count = struct.unpack_from("qqQ", payload)
                latencies += struct.unpack_from("%dq" % count, payload, 24)
                start = first if start is None else min(start, first)
                end = max(end, last)
            rate = len(latencies) / ((end - start) / 1e9)
            print("%s %.0f %.1f %.1f" % (op, rate, percentile(latencies, 0.5) / 1000,
                                         percentile(latencies, 0.99) / 1000))
            sys.stdout.flush()
        failed = 0
        for pid, _, _ in workers:
            _, status = os.waitpid(pid, 0)
            failed += status != 0
        return 1 if failed else 0
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
