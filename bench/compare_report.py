"""bench/compare's report: medians over the rounds, the table, the goals of
issue 6, docs/performance.md's generated section and the chart.

Usage: compare_report.py RESULTS GOALS MARKDOWN PNG ROUNDS KEYS LOAD_BEFORE
                         LOAD_AFTER REDIS_VERSION
RESULTS lines: "round system bytes processes op ops_per_s p50_us p99_us".
GOALS lines: what bench/goals prints ("name value unit ...").
"""
import collections
import datetime
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile

import diskcache

SYSTEMS = ("cpp", "python", "sqlite", "redis")
NAMES = {"cpp": "diskcache-cpp", "python": "Python diskcache", "sqlite": "bare SQLite",
         "redis": "Redis"}
OPS = ("set", "get", "get-miss", "incr", "delete", "push", "pop")
BEGIN = "<!-- bench/compare: begin (generated, do not edit) -->"
END = "<!-- bench/compare: end -->"


def read_results(path):
    """{(system, bytes, processes, op): [(round, ops, p50, p99), ...]}"""
    runs = collections.defaultdict(list)
    with open(path) as results:
        for line in results:
            round_, system, size, processes, op, ops, p50, p99 = line.split()
            runs[(system, int(size), int(processes), op)].append(
                (int(round_), float(ops), float(p50), float(p99)))
    return runs


def median_of(runs, key, field):
    return statistics.median(run[field] for run in runs[key])


def ratio_range(runs, numerator, denominator, field=2):
    """min, median, max over rounds of numerator[field] / denominator[field]."""
    by_round = {run[0]: run[field] for run in runs[denominator]}
    ratios = [run[field] / by_round[run[0]] for run in runs[numerator] if run[0] in by_round]
    return min(ratios), statistics.median(ratios), max(ratios)


def read_goals(path):
    goals = {}
    with open(path) as lines:
        for line in lines:
            name, value = line.split()[:2]
            goals[name] = (float(value), line.split(None, 2)[2].strip())
    return goals


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        memory_gib = int(meminfo.readline().split()[1]) / 2**20
    try:
        with open("/etc/debian_version") as version:
            debian = "Debian " + version.read().strip()
    except OSError:
        debian = platform.system()
    filesystem = subprocess.run(["findmnt", "-no", "FSTYPE", "--target", tempfile.gettempdir()],
                                capture_output=True, text=True).stdout.strip() or "unknown"
    return (f"{os.cpu_count()} x {model}, {memory_gib:.0f} GiB, {debian}, Linux "
            f"{platform.release()}, {filesystem} ({tempfile.gettempdir()})")


def cell(runs, system, size, processes, op):
    key = (system, size, processes, op)
    if key not in runs:
        return "-"
    return "{:,.0f} · {:.1f} · {:.0f}".format(median_of(runs, key, 1), median_of(runs, key, 2),
                                             median_of(runs, key, 3))


def results_table(runs, processes):
    header = ("| op | bytes | " + " | ".join(NAMES[s] for s in SYSTEMS) +
              " | Python / cpp p50 | cpp / SQLite p50 |")
    lines = [header, "|" + "---|" * (len(SYSTEMS) + 4)]
    for op in OPS:
        for size in (10, 100, 1000):
            cpp = ("cpp", size, processes, op)
            if cpp not in runs:
                continue
            faster = ratio_range(runs, ("python", size, processes, op), cpp)
            versus = ratio_range(runs, cpp, ("sqlite", size, processes, op))
            lines.append(f"| {op} | {size} | " +
                         " | ".join(cell(runs, s, size, processes, op) for s in SYSTEMS) +
                         " | {:.2f} ({:.2f}-{:.2f}) | {:.2f} ({:.2f}-{:.2f}) |".format(
                             faster[1], faster[0], faster[2], versus[1], versus[0], versus[2]))
    return "\n".join(lines)


def goal_rows(runs, goals):
    rows = []

    def add(measure, target, measured, met):
        rows.append(f"| {measure} | {target} | {measured} | {'met' if met else '**not met**'} |")

    for op in OPS:
        worst = min((ratio_range(runs, ("python", s, 1, op), ("cpp", s, 1, op))[1], s)
                    for s in (10, 100, 1000))
        add(f"{op} vs Python diskcache (p50)", ">= 3x faster",
            f"{worst[0]:.2f}x (worst size: {worst[1]} B)", worst[0] >= 3)
    for op, limit in (("get", 1.3), ("get-miss", 1.3), ("set", 1.5), ("incr", 1.5),
                      ("delete", 1.5), ("push", 1.5), ("pop", 1.5)):
        worst = max((ratio_range(runs, ("cpp", s, 1, op), ("sqlite", s, 1, op))[1], s)
                    for s in (10, 100, 1000))
        add(f"{op} vs bare SQLite (p50)", f"within {limit}x",
            f"{worst[0]:.2f}x (worst size: {worst[1]} B)", worst[0] <= limit)
    scaling = min((median_of(runs, ("cpp", s, 2, "get"), 1) /
                   median_of(runs, ("cpp", s, 1, "get"), 1), s) for s in (10, 100, 1000))
    add("2 processes doing get (ops/s)", ">= 1.7x one process",
        f"{scaling[0]:.2f}x (worst size: {scaling[1]} B)", scaling[0] >= 1.7)
    if "transact_10000_sets" in goals:
        rate = goals["transact_10000_sets"][0]
        bare = goals.get("transact_10000_sets_bare_sqlite", (0, ""))[0]
        add("10,000 set in one transact()", ">= 300,000 items/s",
            f"{rate:,.0f} items/s (bare SQLite, same schema: {bare:,.0f})", rate >= 300000)
    rss = sorted((int(name.split("_")[2]), value) for name, value in goals.items()
                 if name.startswith("rss_kb_"))
    if rss:
        most, (kb, detail) = rss[-1]
        anon, file = (int(part.strip(" (),").split()[-1]) for part in detail.split(",")[:2])
        add(f"RSS after 100,000 random gets, {most:,} items", "< 50 MB, flat",
            f"{kb / 1024:.0f} MiB (heap {anon / 1024:.0f} MiB, mapped file {file / 1024:.0f}"
            " MiB); by item count: " +
            ", ".join(f"{n:,}: {v[0] / 1024:.0f} MiB" for n, v in rss), kb * 1024 < 50e6)
    for name, (kb, detail) in goals.items():
        if name.startswith("rss_mmap_off_kb_"):
            add(f"the same with sqlite_mmap_size = 0", "< 50 MB",
                f"{kb / 1024:.0f} MiB", kb * 1024 < 50e6)
    opens = [(name, value) for name, value in goals.items() if name.startswith("open_")]
    for name, (ms, _) in opens:
        add(f"open a cache of {int(name.split('_')[1]):,} items + one get", "< 5 ms",
            f"{ms:.2f} ms", ms < 5)
    for way, ours, source in (("write", "set_stream", ""), ("read", "read", " (page cache)")):
        dd, mine = goals.get(f"stream_{way}_dd"), goals.get(f"stream_{way}_{ours}")
        if dd and mine:
            add(f"100 MB value, {ours} vs dd {way}{source}", ">= 70% of dd",
                f"{mine[0]:,.0f} vs {dd[0]:,.0f} MB/s ({100 * mine[0] / dd[0]:.0f}%)",
                mine[0] >= 0.7 * dd[0])
    return rows


def chart(runs, png):
    data = tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False)
    with data:
        data.write("op " + " ".join(f'"{NAMES[s]}"' for s in SYSTEMS) + "\n")
        for op in OPS:
            data.write(op + " " + " ".join(
                "{:.2f}".format(median_of(runs, (s, 100, 1, op), 2)) for s in SYSTEMS) + "\n")
    script = f"""
set terminal pngcairo size 900,480 font "sans,10"
set output "{png}"
set title "p50 latency per operation, 100-byte values, 1 process (lower is better)"
set ylabel "microseconds (log scale)"
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key top left
set grid ytics
plot for [i=2:5] "{data.name}" using i:xtic(1) title columnheader(i)
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data.name)


def main():
    (results, goals_path, markdown, png, rounds, keys, load_before, load_after,
     redis_version) = sys.argv[1:10]
    runs = read_results(results)
    goals = read_goals(goals_path)
    chart(runs, png)
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join([
        BEGIN,
        f"Latest `bench/compare`: {today}; machine: {machine()}; load average "
        f"{load_before} before, {load_after} after (the machine is shared). SQLite "
        f"{sqlite3.sqlite_version}, Python diskcache {diskcache.__version__}, Redis "
        f"{redis_version}. {keys} keys, medians of {rounds} interleaved rounds. Each cell: "
        "ops/s · p50 µs · p99 µs; ratios of p50, median over the rounds (min-max).",
        "",
        "One process:",
        "",
        results_table(runs, 1),
        "",
        "Two processes at once on the same directory (ops/s of both together):",
        "",
        results_table(runs, 2),
        "",
        f"![p50 latency per operation](performance.png)",
        "",
        "Issue 6's goals, as measured by this run:",
        "",
        "| measure | goal | measured | |",
        "|---|---|---|---|",
        *goal_rows(runs, goals),
        END,
    ])
    print(section)
    text = open(markdown).read() if os.path.exists(markdown) else "# Performance\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        heading = text.find("\n## ")
        heading = len(text) if heading < 0 else heading + 1
        text = (text[:heading] + "## Latest figures\n\n" + section + "\n\n" + text[heading:])
    with open(markdown, "w") as out:
        out.write(text)


if __name__ == "__main__":
    main()
