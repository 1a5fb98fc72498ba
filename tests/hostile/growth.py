#!/usr/bin/env python3
"""The growth check: book-like inputs of one shape each (footnotes, links,
nested lists, a table, one long paragraph, headings, images), in Markdown
and in HTML, at 1x, 8x and 32x their size, converted md -> html,
md -> epub, html -> markdown and html -> text; fails when the CPU time a
megabyte costs grows by more than MAX_GROWTH (1.5) from 1x to 32x. TAP.

    GALLEY_EXE=build/galley python3 tests/hostile/growth.py [--size BYTES]
        [--runs N] [--list] [NAME...]

The time a megabyte costs at a size is (t - t0) / (bytes - bytes0): t the
conversion's own CPU time (user + system, from wait4), t0 the same shape
with one unit (galley's start, its plugins, the writer's fixed work). Each
small run is the minimum of --runs runs (default 5), so that the noise of
a loaded machine, which only ever adds time, is taken off; the 8x and 32x
runs are long enough for one. A shape over the limit is measured once more
before it fails (the noise of one bad moment), and a run past its CPU cap
(RUN_CAP_FACTOR times the time the 1x run predicts at that size, at least
RUN_CAP_MIN seconds) fails at once: that is a quadratic cost, which this
check exists to catch (the html writer's footnotes by a linear scan:
40,000 notes took 12 s).

The super-linear search (superlinear.py) covers many more shapes with a
looser rule (a ratio of 20 where linear is 9) on small inputs; this check
holds the shapes of a real book to a tight one, on inputs of megabytes
(1x grows past --size until its own work is MIN_WORK seconds: see
SIZE_FACTOR). About 100 s of CPU with the defaults.
"""

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile

MAX_GROWTH = 1.5
DEFAULT_SIZE = 96 * 1024  # bytes at 1x: 3 MB at 32x
# The EPUB writer's fixed cost is large (40 ms): at half the size its 1x
# run's own work was some 20 ms, and a case failed on noise alone.
SIZE_FACTOR = {}
# Nor is a size enough by itself: a cheap writer's 1x run (html -> text:
# 18 ms of work over a start of 18 ms) left a difference of two noisy
# times, and its growth read 1.16-1.55 from run to run, failing CI once.
# 1x doubles until its own work is at least MIN_WORK seconds (at most
# MAX_DOUBLINGS times), and 8x and 32x are of that 1x. (A larger 1x
# still, 60 ms, brought n log n costs into view instead: cmark's sorted
# maps of references and notes made md footnotes -> html read 1.46 from
# 0.45 to 15.6 MB.)
MIN_WORK = 0.035
MAX_DOUBLINGS = 2
# A cost quadratic in the size grows x32 from 1x to 32x, far past
# MAX_GROWTH; 64x found nothing more and took half of CI's growth check.
FACTORS = (1, 8, 32)
TOP = FACTORS[-1]
RUN_CAP_FACTOR = 20
RUN_CAP_MIN = 5
# Markdown inputs of many nodes a byte need more than the parse memory
# limit's default (8 x the input + 128 MiB) at 32x: this measures time.
MD_ARGS = ["-O", "max-parse-memory=0"]

HTML_HEAD = ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
             "<title>A book</title></head><body>\n")
HTML_TAIL = "</body></html>\n"

# name: (format, head, unit, mid, tail_unit, tail). "{i}" is the unit's
# number; tail_unit repeats as many times as unit, after mid.
SHAPES = {
    "md footnotes": ("markdown", "# Notes\n\n", "Text with a note[^n{i}] in it.\n\n",
                     "", "[^n{i}]: The note number {i}.\n\n", ""),
    "md links": ("markdown", "",
                 "See [the page][r{i}] and [this](https://example.org/{i}).\n\n",
                 "", "[r{i}]: https://example.net/{i} \"Title {i}\"\n", ""),
    "md nested lists": ("markdown", "",
                        "- one {i}\n  - two\n    - three *x*\n      1. four\n", "", "",
                        ""),
    "md table": ("markdown", "| a | b | c |\n|---|:-:|--:|\n",
                 "| x{i} | *y* | [z](https://example.org/{i}) |\n", "", "", ""),
    # No links: cmark-gfm 0.29.0.gfm.6 itself takes quadratic time on a
    # paragraph of emphasis and links (`word **strong** [a](u) ` repeated:
    # 440 KB take 1.8 s of CPU in the cmark-gfm command, 880 KB 10.8 s).
    "md long paragraph": ("markdown", "",
                          "word *emph* **strong** `code` ~~del~~ and {i} ", "", "",
                          "\n"),
    "md headings": ("markdown", "", "## Notes\n\nSome text {i}.\n\n", "", "", ""),
    "md images": ("markdown", "", "![A picture {i}](img/p{i}.png \"t\") text\n\n", "",
                  "", ""),
    "html footnotes": ("html", HTML_HEAD,
                       '<p>Text<a href="#fn{i}" class="footnote-ref" id="fnref{i}">'
                       "<sup>{i}</sup></a> here.</p>\n",
                       '<section class="footnotes"><ol>\n',
                       '<li id="fn{i}"><p>Note {i}. <a href="#fnref{i}" '
                       'class="footnote-back">back</a></p></li>\n',
                       "</ol></section>" + HTML_TAIL),
    "html links": ("html", HTML_HEAD,
                   '<p>See <a href="https://example.org/{i}">page {i}</a> and '
                   '<a href="#s{i}" title="t">here</a>.</p>\n', "", "", HTML_TAIL),
    "html nested lists": ("html", HTML_HEAD + "<ul>",
                          "<li>one {i}<ul><li>two<ul><li>three <em>x</em><ol><li>four"
                          "</li></ol></li></ul></li></ul></li>\n", "", "",
                          "</ul>" + HTML_TAIL),
    "html table": ("html", HTML_HEAD + "<table><tr><th>a</th><th>b</th><th>c</th></tr>\n",
                   '<tr><td>x{i}</td><td><em>y</em></td><td><a href="u{i}">z</a></td>'
                   "</tr>\n", "", "", "</table>" + HTML_TAIL),
    "html long paragraph": ("html", HTML_HEAD + "<p>",
                            "word <em>emph</em> <strong>strong</strong> <code>code</code>"
                            ' <a href="u{i}">a</a> {i}\n', "", "", "</p>" + HTML_TAIL),
    "html headings": ("html", HTML_HEAD,
                      '<h2 id="notes">Notes</h2><p>Some text {i}.</p>\n', "", "",
                      HTML_TAIL),
    "html images": ("html", HTML_HEAD,
                    '<p><img src="img/p{i}.png" alt="A picture {i}"> text</p>\n', "", "",
                    HTML_TAIL),
}

PAIRS = {"markdown": ("html", "epub"), "html": ("markdown", "text")}
# Shapes beyond the five the check is for, through fewer writers.
ONLY = {"md headings": ("html",), "md images": ("html",),
        "html headings": ("markdown",), "html images": ("markdown",)}
EXT = {"markdown": "md", "html": "html", "text": "txt", "epub": "epub"}


def cases():
    for name, spec in SHAPES.items():
        for to in ONLY.get(name, PAIRS[spec[0]]):
            yield "%s -> %s" % (name, to), name, to


def build(shape, n, path):
    fmt, head, unit, mid, tail_unit, tail = SHAPES[shape]
    parts = [head]
    parts += [unit.replace("{i}", str(i)) for i in range(n)]
    if tail_unit or mid:
        parts.append(mid)
        parts += [tail_unit.replace("{i}", str(i)) for i in range(n)]
    parts.append(tail)
    data = "".join(parts).encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def run(argv, cap):
    """(CPU seconds of the child, user and system, exit status or -signal,
    stopped at the cap, first line of its standard error). Both: the
    kernel accounts their sum exactly but splits it between the two by
    sampling at its clock's ticks."""
    def limit():
        resource.setrlimit(resource.RLIMIT_CPU, (cap, cap + 1))

    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err, preexec_fn=limit)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = 0  # reaped above
        err.seek(0)
        first = err.read().decode("utf-8", "replace").strip().split("\n")[0]
    rc = os.waitstatus_to_exitcode(status)
    stopped = rc in (-signal.SIGXCPU, -signal.SIGKILL)
    return ru.ru_utime + ru.ru_stime, rc, stopped, first


def measure(exe, shape, to, size, runs, work):
    """Returns (rows, growth, problem): rows of (factor, bytes, CPU
    seconds); the problem is None when the shape grows linearly."""
    fmt = SHAPES[shape][0]
    inp = os.path.join(work, "in." + EXT[fmt])
    out = os.path.join(work, "out." + EXT[to])
    argv = [exe, "-q", "-f", fmt, inp, "-t", to, "-o", out]
    if fmt == "markdown":
        argv += MD_ARGS
    if to == "epub":
        argv += ["-M", "language=en"]

    def timed(n, k, cap):
        b = build(shape, n, inp)
        best = None
        for _ in range(k):
            t, rc, stopped, err = run(argv, cap)
            if stopped:
                return b, None, "stopped at %d s of CPU" % cap
            if rc != 0:
                return b, None, "exit %d: %s" % (rc, err[:120])
            best = t if best is None else min(best, t)
        return b, best, None

    unit = build(shape, 2, inp) - build(shape, 1, inp)
    n1 = max(1, int(size * SIZE_FACTOR.get(to, 1)) // max(1, unit))
    b0, t0, problem = timed(1, runs, RUN_CAP_MIN)
    if problem:
        return [], 0, "at one unit: " + problem
    for _ in range(MAX_DOUBLINGS):
        _, t1, problem = timed(n1, runs, RUN_CAP_MIN)
        if problem:
            return [], 0, "at 1x: " + problem
        if t1 - t0 >= MIN_WORK:
            break
        n1 *= 2
    rows = []
    per_mb = {}
    for f in FACTORS:
        if f == 1:
            cap = RUN_CAP_MIN
        else:
            linear = t0 + (rows[0][2] - t0) * f
            cap = max(RUN_CAP_MIN, int(RUN_CAP_FACTOR * linear) + 1)
        k = runs if f == 1 else 1
        b, t, problem = timed(n1 * f, k, cap)
        if problem:
            return rows, 0, "at %dx (%.1f MB): %s" % (f, b / 1e6, problem)
        rows.append((f, b, t))
        per_mb[f] = max(t - t0, 1e-4) / ((b - b0) / 1e6)
    growth = per_mb[TOP] / per_mb[1]
    if growth > MAX_GROWTH:
        # Once more, both ends, before failing: a loaded machine's noise.
        # A 1x whose own work is under twice MIN_WORK (a noisy moment kept
        # it from doubling: md links -> epub read x1.54 in CI at 0.11 MB,
        # x0.97-1.12 at the 0.22 MB a quiet machine picks) is measured at
        # twice its size: a quadratic cost still grows x16 from there.
        n1r = n1 * 2 if rows[0][2] - t0 < 2 * MIN_WORK else n1
        b1r, t1, problem = timed(n1r, runs + 2, RUN_CAP_MIN)
        if problem is None:
            _, t0b, problem = timed(1, runs + 2, RUN_CAP_MIN)
        if problem:
            return rows, 0, "measured again at 1x: " + problem
        t0 = min(t0, t0b)
        if n1r == n1:
            t1 = min(t1, rows[0][2])
        rows[0] = (1, b1r, t1)
        per1 = max(t1 - t0, 1e-4) / ((b1r - b0) / 1e6)
        bt, tt, problem = timed(n1 * TOP, 1, max(RUN_CAP_MIN, int(rows[-1][2] * 4) + 1))
        if problem is None:
            rows[-1] = (TOP, bt, min(tt, rows[-1][2]))
        per_top = max(rows[-1][2] - t0, 1e-4) / ((rows[-1][1] - b0) / 1e6)
        growth = per_top / per1
        per_mb[1], per_mb[TOP] = per1, per_top
    if growth > MAX_GROWTH:
        return rows, growth, ("the CPU time a MB costs grows x%.2f from 1x to %dx "
                      "(%.3f s/MB at %.2f MB, %.3f s/MB at %.1f MB; start %.3f s)"
                      % (growth, TOP, per_mb[1], rows[0][1] / 1e6, per_mb[TOP],
                         rows[-1][1] / 1e6, t0))
    return rows, growth, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE,
                    help="bytes at 1x (default %d)" % DEFAULT_SIZE)
    ap.add_argument("--runs", type=int, default=5,
                    help="runs of each small size, the least CPU time counts (default 5)")
    ap.add_argument("--list", action="store_true", help="list the cases")
    ap.add_argument("names", nargs="*", help="only cases whose name holds one of these")
    opt = ap.parse_args()
    todo = [c for c in cases() if not opt.names or any(w in c[0] for w in opt.names)]
    if opt.list:
        for c in todo:
            print(c[0])
        return 0
    exe = os.environ.get("GALLEY_EXE")
    if not exe or not os.access(exe, os.X_OK):
        print("1..0 # SKIP GALLEY_EXE is not set")
        return 0
    exe = os.path.abspath(exe)
    try:
        with open(exe, "rb") as f:
            if b"__asan_init" in f.read():
                print("1..0 # SKIP AddressSanitizer build: its times are not galley's")
                return 0
    except OSError:
        pass
    listed = subprocess.run([exe, "--list-formats"], capture_output=True,
                            text=True).stdout.split()
    print("1..%d" % len(todo))
    print("# 1x about %d bytes; CPU time a MB may grow at most x%.1f from 1x to %dx"
          % (opt.size, MAX_GROWTH, TOP))
    failed = 0
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="galley-growth-") as work:
        for k, (name, shape, to) in enumerate(todo, 1):
            fmt = SHAPES[shape][0]
            if fmt not in listed or to not in listed:
                print("ok %d - %s # SKIP format not loaded" % (k, name))
                continue
            rows, growth, problem = measure(exe, shape, to, opt.size, opt.runs, work)
            if problem and growth:
                # Grown, not stopped: the whole series once more (tests
                # running beside this one share the caches), and the
                # better of the two counts. A real quadratic grows on
                # every run; the 20x-linear stop above is never retried.
                rows2, growth2, problem2 = measure(exe, shape, to, opt.size,
                                                   opt.runs, work)
                if not problem2 or growth2 < growth:
                    rows, growth, problem = rows2, growth2, problem2
            cols = "  ".join("%dx %.2f MB %.3f s" % (f, b / 1e6, t) for f, b, t in rows)
            if problem:
                failed += 1
                print("not ok %d - %s" % (k, name))
                print("#   " + problem)
            else:
                print("ok %d - %s" % (k, name))
            print("#   %s%s" % (cols, "; growth x%.2f" % growth if growth else ""))
            sys.stdout.flush()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("# %.0f s of CPU" % (ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
