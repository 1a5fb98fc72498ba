#!/usr/bin/env python3
"""galley --jsonl under a real distributed engine: a Dask distributed
LocalCluster of two worker processes on 127.0.0.1 maps partitions (of JSON
records, of web archives) through one `galley --jsonl` subprocess each,
streaming. Modes:

  galley_dask.py test GALLEY           the 'dask' suite (TAP)
  galley_dask.py bench GALLEY WARC...  records/s through the cluster

Exit 77 (skipped) when distributed cannot be imported."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

try:
    import distributed
    from distributed import Client, LocalCluster
except ImportError:
    print("# python3-distributed is not installed: skipped")
    sys.exit(77)


def galley_stream(argv, lines=None):
    """Runs galley, writing `lines` (JSON records) to its standard input
    from a thread while its answers are read as they come: one process per
    partition, never the whole partition in one buffer each way."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if lines is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def feed():
        try:
            for line in lines:
                proc.stdin.write(line.encode() + b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass

    feeder = None
    if lines is not None:
        feeder = threading.Thread(target=feed)
        feeder.start()
    err = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    out = [line.decode().rstrip("\n") for line in proc.stdout]
    if feeder:
        feeder.join()
    reader.join()
    rc = proc.wait()
    # 1 is "some records failed": their error records are in the output.
    if rc not in (0, 1):
        raise RuntimeError("galley exited %d: %s" % (rc, err[0].decode(errors="replace")))
    return out


def convert_records(galley, fmt, records, delay=0.0):
    out = galley_stream([galley, "--jsonl", "-q", "-j", "1", "-t", fmt], records)
    if delay:
        time.sleep(delay)  # a slow partition: time to kill its worker
    return out


def convert_warc(galley, fmt, path, delay=0.0):
    out = galley_stream([galley, "--jsonl", "-q", "-j", "1", "-t", fmt, path])
    if delay:
        time.sleep(delay)
    return out


def start_cluster():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None,
                           silence_logs=50)
    return cluster, Client(cluster)


def map_partitions(client, fn, galley, fmt, parts, delay=0.0):
    futures = [client.submit(fn, galley, fmt, p, delay, pure=False, retries=0)
               for p in parts]
    return futures


def gather(client, futures):
    out = []
    for part in client.gather(futures):
        out.extend(part)
    return out


# ---- the suite ----

n = 0
failed = 0


def check(name, cond, detail=""):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - %s" % (n, name))
        for line in str(detail).splitlines()[:20]:
            print("# " + line)
    sys.stdout.flush()


def fixture_records():
    """JSON records of the project's own fixtures (HTML, Markdown, text),
    with two bad ones among them."""
    root = os.environ.get("GALLEY_FIXTURES") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures")
    recs = []
    for sub, fmt, ext in (("html", "html", ".html"), ("markdown", "markdown", ".md"),
                          ("text", "text", ".txt"), ("sample", "html", ".html")):
        d = os.path.join(root, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if not name.endswith(ext) or not os.path.isfile(p) or os.path.getsize(p) > 200000:
                continue
            try:
                content = open(p, encoding="utf-8").read()
            except UnicodeDecodeError:
                continue
            recs.append(json.dumps({"id": "%s/%s" % (sub, name), "format": fmt,
                                    "content": content}))
            if len(recs) >= 60:
                break
    recs.insert(5, '{"id": "bad-format", "format": "no-such-format", "content": "x"}')
    recs.insert(17, '{"id": "not json')
    return recs, os.path.join(root, "warc")


LINE = re.compile(r"^line [0-9]+: ")


def same(got, expected):
    """Whether two runs' answers are equal record for record. The one
    thing allowed to differ is the "line N: " an error message starts with:
    a partition counts its own lines."""
    def norm(line):
        r = json.loads(line)
        if r.get("error"):
            r["error"] = LINE.sub("line N: ", r["error"])
        return r
    a = [norm(x) for x in got]
    b = [norm(x) for x in expected]
    if a == b:
        return True, ""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return False, "answer %d:\n%s\n%s" % (i, json.dumps(x)[:400], json.dumps(y)[:400])
    return False, "%d against %d answers" % (len(a), len(b))


def split(items, k):
    size = (len(items) + k - 1) // k
    return [items[i:i + size] for i in range(0, len(items), size)]


def worker_busy(client):
    """The address of a worker that is running a task now, or None."""
    for addr, tasks in client.processing().items():
        if tasks:
            return addr
    return None


def readme_recipe():
    """The function `galley` of README.md's Dask recipe, run as written
    (it calls the galley on PATH: this build's, see test())."""
    root = os.environ.get("GALLEY_SOURCE_ROOT") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    m = re.search(r"\*\*Dask distributed \(tested\)\.\*\*.*?```python\n(.*?)\nclient = ",
                  text, re.S)
    if not m:
        return None
    ns = {"__name__": "__main__"}  # pickled by value for the workers
    exec(m.group(1), ns)
    return ns.get("galley")


def test(galley):
    t0 = time.time()
    # The workers (and the README's recipe) find this build's galley first.
    os.environ["PATH"] = os.path.dirname(os.path.abspath(galley)) + os.pathsep + os.environ.get("PATH", "")
    print("# distributed %s" % distributed.__version__)
    records, warcdir = fixture_records()
    expected = convert_records(galley, "text", records)
    check("single process: one answer per record", len(expected) == len(records),
          "%d answers for %d records" % (len(expected), len(records)))
    cluster, client = start_cluster()
    try:
        check("a LocalCluster of two worker processes on 127.0.0.1",
              len(client.scheduler_info()["workers"]) == 2 and
              all(a.startswith("tcp://127.0.0.1:") for a in client.scheduler_info()["workers"]),
              client.scheduler_info()["workers"].keys())
        parts = split(records, 6)
        got = gather(client, map_partitions(client, convert_records, galley, "text", parts))
        check("JSON records through Dask equal a single-process run, record for record",
              *same(got, expected))
        errs = [json.loads(x) for x in got if json.loads(x).get("error")]
        check("the bad records give error records and the rest go on",
              [e.get("id") for e in errs] == ["bad-format", None] and
              len(got) - len(errs) == len(records) - 2,
              errs)

        # The README's recipe, as written there, gives the same answers.
        recipe = readme_recipe()
        if recipe is None:
            check("the README's Dask recipe gives the same answers", False,
                  "no recipe found in README.md")
        else:
            rgot = gather(client, [client.submit(recipe, ["-t", "text"], p, pure=False)
                                   for p in parts])
            check("the README's Dask recipe gives the same answers", *same(rgot, expected))

        warcs = [os.path.join(warcdir, f) for f in
                 ("crawl-1.0.warc", "crawl-1.1.warc.gz", "corrupt.warc.gz", "truncated.warc.gz")]
        wexp = []
        for w in warcs:
            wexp.extend(convert_warc(galley, "text", w))
        wgot = gather(client, map_partitions(client, convert_warc, galley, "text", warcs))
        check("web archives through Dask equal a single-process run, record for record",
              *same(wgot, wexp))
        check("their records carry url, warc_record_id and warc_date",
              all(json.loads(x).get("warc_record_id") and json.loads(x).get("url")
                  and json.loads(x).get("warc_date") for x in wgot if not json.loads(x)["error"]))

        # A worker killed while it runs a partition: the nanny restarts it,
        # the scheduler runs the partition again, the output is the same.
        pids = client.run(os.getpid)
        futures = map_partitions(client, convert_records, galley, "text", parts, delay=1.0)
        victim = None
        deadline = time.time() + 10
        while victim is None and time.time() < deadline:
            victim = worker_busy(client)
            if victim is None:
                time.sleep(0.05)
        if victim:
            os.kill(pids[victim], signal.SIGKILL)
        got = gather(client, futures)
        ok, why = same(got, expected)
        check("a worker killed mid-run: the run completes with identical output",
              victim is not None and ok, "victim %s; %s" % (victim, why))
        deadline = time.time() + 15
        while len(client.scheduler_info()["workers"]) < 2 and time.time() < deadline:
            time.sleep(0.1)
        new_pids = client.run(os.getpid)
        check("the killed worker was replaced",
              len(new_pids) == 2 and pids[victim] not in new_pids.values() if victim else False,
              (pids, new_pids))
    finally:
        client.close()
        cluster.close()
    print("# %.1f s" % (time.time() - t0))
    print("1..%d" % n)
    return 1 if failed else 0


def peak_rss():
    """This worker's own peak, and its children's (KiB)."""
    import resource
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def bench(galley, warcs):
    """One line: "dask: LINES lines SECONDS s GALLEY_MIB MiB WORKER_MIB MiB"
    (peak memory: the largest galley process, the largest worker)."""
    import tempfile
    tmp = tempfile.mkdtemp()
    # Each galley's own peak, measured by /usr/bin/time around it (a
    # child's ru_maxrss would count the worker's pages copied at fork).
    peakfile = os.path.join(tmp, "peaks")
    wrapper = os.path.join(tmp, "galley")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec /usr/bin/time -f %%M -a -o %s %s "$@"\n' % (peakfile, galley))
    os.chmod(wrapper, 0o755)
    cluster, client = start_cluster()
    try:
        # Warm the workers (imports, first fork) outside the timing.
        client.gather([client.submit(len, [1], pure=False) for _ in range(4)])
        t0 = time.time()
        got = gather(client, map_partitions(client, convert_warc, wrapper, "text", warcs))
        dt = time.time() - t0
        peaks = client.run(peak_rss)
    finally:
        client.close()
        cluster.close()
    worker = max(p[0] for p in peaks.values()) / 1024
    child = max(int(x) for x in open(peakfile).read().split()) / 1024
    import shutil
    shutil.rmtree(tmp)
    print("dask: %d lines %.2f s %.0f MiB %.0f MiB" % (len(got), dt, child, worker))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "test":
        sys.exit(test(sys.argv[2]))
    if len(sys.argv) >= 4 and sys.argv[1] == "bench":
        bench(sys.argv[2], sys.argv[3:])
        sys.exit(0)
    sys.exit(__doc__)
