"""A Python worker for the work_queue example's queue.

    python3 python_worker.py DIRECTORY

It takes jobs from DIRECTORY/jobs with Python diskcache's Deque and writes
word counts to DIRECTORY/results with diskcache.Index, the same directories
the C++ producer and workers use. Python's Deque has no leases: a job is
popped, so it is lost if this process dies while working on it.
"""

import sys
import time

import diskcache


def main():
    directory = sys.argv[1]
    jobs = diskcache.Deque(directory=directory + "/jobs")
    results = diskcache.Index(directory + "/results")
    idle_since = time.monotonic()
    # The producer has finished once the queue stays empty for a second.
    while time.monotonic() - idle_since < 1.0:
        try:
            job = jobs.popleft()
        except IndexError:
            time.sleep(0.01)
            continue
        job_id, sentence = job.split(" ", 1)
        time.sleep(0.05)  # the same slow work as the C++ worker
        results[int(job_id)] = len(sentence.split())
        idle_since = time.monotonic()


if __name__ == "__main__":
    main()
