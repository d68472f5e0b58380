"""Producer of bench/wake_latency: pushes CLOCK_MONOTONIC timestamps (ns)
into a Python diskcache Deque, one every 2-4 ms.

Usage: python3 wake_producer.py DIRECTORY SAMPLES
"""
import random
import sys
import time

import diskcache


def main():
    directory, samples = sys.argv[1], int(sys.argv[2])
    deque = diskcache.Deque(directory=directory)
    rng = random.Random(12345)
    time.sleep(0.2)  # the consumer is waiting by then
    for _ in range(samples):
        time.sleep(rng.uniform(0.002, 0.004))
        deque.append(time.clock_gettime_ns(time.CLOCK_MONOTONIC))


if __name__ == "__main__":
    main()
