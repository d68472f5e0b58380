"""Waits, then stores one str item in a cache directory.

Called as `write_item.py DIRECTORY KEY VALUE DELAY_SECONDS` by tests that check
a C++ process notices a Python write (for example, a waiting consumer).
"""

import sys
import time

import diskcache


def main():
    directory, key, value, delay = sys.argv[1:5]
    cache = diskcache.Cache(directory)
    time.sleep(float(delay))
    cache.set(key, value)
    cache.close()


if __name__ == "__main__":
    main()
