#!/usr/bin/env python3
"""The hostile-input suite: writes every case of gen.py into a temporary
folder, runs `$GALLEY_EXE` on each within 10 s of CPU time (user and
system; a run past it is killed and fails) and a 1 GiB address space cap,
and checks the exact outcome. TAP on standard output.

The budget is CPU time, not wall time, so that the verdict does not depend
on what else the machine runs (meson runs tests in parallel; on two cores a
200 MB conversion shares them). A wall-clock timeout of three times the
budget still catches a run that hangs without using the CPU.

    GALLEY_EXE=build/galley python3 tests/hostile/hostile.py [--discover] [SLUG...]

--discover prints what each case does instead of checking it (to write a
new case's expectation). Environment:
  HOSTILE_NO_BIG=1    skip the cases that write more than 100 MB
  HOSTILE_KEEP=1      keep the temporary folder
The memory cap is left off under AddressSanitizer (it reserves terabytes of
virtual memory at start), detected from the executable's linked runtime;
the TAP plan says so.
"""

import io
import os
import resource
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

TIME_LIMIT = 10
# A hang (waiting on a read, a lock, a child) uses no CPU: it is killed at
# this many times the CPU budget of wall-clock time.
WALL_FACTOR = 3
MEM_LIMIT = 1 << 30
# Sanitizer builds run several times slower; they get this many times the
# time (and no memory cap, see uses_asan), and the plan says so.
ASAN_TIME_FACTOR = 4


def uses_asan(exe):
    try:
        out = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    except OSError:
        out = ""
    if "libasan" in out:
        return True
    with open(exe, "rb") as f:
        return b"__asan_init" in f.read()


def output_text(path):
    """The output's bytes; an EPUB (zip) is unzipped and its entries joined."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data = b"\n".join(z.read(n) for n in z.namelist())
        except (zipfile.BadZipFile, OSError, RuntimeError):
            pass
    return data


def main():
    args = sys.argv[1:]
    discover = "--discover" in args
    want = set(a for a in args if not a.startswith("--"))
    exe = os.environ.get("GALLEY_EXE")
    if not exe or not os.access(exe, os.X_OK):
        print("1..0 # SKIP GALLEY_EXE is not set")
        return 0
    exe = os.path.abspath(exe)
    asan = uses_asan(exe)
    no_big = os.environ.get("HOSTILE_NO_BIG") == "1"
    cap = [] if asan or not shutil.which("prlimit") else \
        ["prlimit", "--as=%d" % MEM_LIMIT]

    cases = [c for c in gen.CASES if not want or gen.slug(c["name"]) in want]
    root = tempfile.mkdtemp(prefix="galley-hostile-")
    # A listener on loopback: any connection to it is a fetch from the network.
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    lsock.setblocking(False)
    ctx = {"secret": gen.make_root(root), "port": lsock.getsockname()[1]}

    limit = TIME_LIMIT * (ASAN_TIME_FACTOR if asan else 1)
    print("1..%d" % len(cases))
    if not cap:
        print("# no memory cap: %s" % ("AddressSanitizer build" if asan else "no prlimit"))
    if asan:
        print("# time limit %ds: AddressSanitizer build" % limit)
    failures = 0
    for n, c in enumerate(cases, 1):
        title = c["name"]
        if c["big"] and no_big:
            print("ok %d - %s # SKIP HOSTILE_NO_BIG" % (n, title))
            continue
        if c["todo"] and c["big"] and not cap:
            # A known memory bug cannot show without the memory cap.
            print("ok %d - %s # SKIP no memory cap (TODO %s)" % (n, title, c["todo"]))
            continue
        d = gen.write_case(c, root, ctx)
        if c["old"] is not None:
            gen.write(os.path.join(d, c["out"]), c["old"])
        before = set(os.listdir(root))
        t0 = time.monotonic()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            stdin = open(os.path.join(d, c["stdin"]), "rb") if c["stdin"] else subprocess.DEVNULL
            budget = limit * (c["cpu"] or TIME_LIMIT) // TIME_LIMIT
            ccap = ["prlimit", "--cpu=%d" % (budget + 1)] if shutil.which("prlimit") else []
            if cap:
                ccap += ["--as=%d" % (min(MEM_LIMIT, c["mem"]) if c["mem"] else MEM_LIMIT)]
            p = subprocess.run(["timeout", "-s", "KILL", str(budget * WALL_FACTOR)] + ccap +
                               [exe] + c["argv"], cwd=d, capture_output=True, stdin=stdin)
            if c["stdin"]:
                stdin.close()
        except OSError as e:
            print("not ok %d - %s # cannot run: %s" % (n, title, e))
            failures += 1
            continue
        secs = time.monotonic() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        rc = p.returncode
        err = p.stderr.decode("utf-8", "replace")
        lines = [l for l in err.splitlines() if l]
        out_path = os.path.join(d, c["out"]) if c["out"] else None
        out_exists = bool(out_path and os.path.exists(out_path))
        problems = []
        try:
            conn, _ = lsock.accept()
            conn.close()
            problems.append("connected to the network listener")
        except (BlockingIOError, InterruptedError):
            pass
        if rc in (124, 137, -9):
            problems.append("killed after %.1fs (%.1f CPU s): hung, or over the memory cap"
                            % (secs, cpu))
        elif cpu > budget or rc in (152, -24):
            problems.append("used %.1f CPU s, over the budget of %d" % (cpu, budget))
        if any("Sanitizer" in l or "runtime error" in l for l in lines):
            problems.append("sanitizer report")
        if discover:
            print("# %s: rc=%d %.2fs (%.2f CPU s) out=%s"
                  % (gen.slug(title), rc, secs, cpu, out_exists))
            for l in lines[:6]:
                print("#    " + l[:300])
        if c["check"]:
            problems.extend(c["check"](d, p))
        if c["rc"] is not None and rc != c["rc"]:
            problems.append("exit %d, expected %d" % (rc, c["rc"]))
        if c["rc"] is None and rc not in (0, 1):
            problems.append("exit %d, expected 0 or 1" % rc)
        if c["err"] and not any(re.fullmatch(c["err"], l) for l in lines):
            problems.append("no stderr line matches /%s/" % c["err"])
        if rc != 0 and not lines:
            problems.append("failed without a message")
        if rc == 1:
            errors = [l for l in lines if ": warning: " not in l and ": note: " not in l]
            if len(errors) != 1:
                problems.append("%d error lines, expected 1" % len(errors))
            elif not errors[0].startswith("galley: %s: " % ("-" if c["stdin"] else c["argv"][0])):
                problems.append("the error line does not name the input")
        if c["old"] is not None:
            with open(out_path, "rb") as f:
                if f.read() != c["old"]:
                    problems.append("%s was changed by a failed run" % c["out"])
            out_exists = False
            leftovers = [f for f in os.listdir(os.path.dirname(out_path))
                         if f.startswith(os.path.basename(out_path)) and f != os.path.basename(out_path)]
            if leftovers:
                problems.append("temporary files left: %s" % leftovers)
        elif rc != 0 and out_exists:
            problems.append("%s left behind after a failure" % c["out"])
        if rc == 0 and out_path and not out_exists:
            problems.append("no output %s" % c["out"])
        blobs = [p.stdout, p.stderr]
        if out_exists:
            blobs.append(output_text(out_path))
            if c["maxout"] and os.path.getsize(out_path) > c["maxout"]:
                problems.append("output is %d bytes (over %d: something was expanded)"
                                % (os.path.getsize(out_path), c["maxout"]))
            if out_path.endswith(".xml"):
                try:
                    ET.fromstring(blobs[-1])
                except ET.ParseError as e:
                    problems.append("the xml output is not well-formed: %s" % e)
        for s in c["absent"]:
            if any(s.encode() in b for b in blobs):
                problems.append("'%s' appears in the output" % s)
        for s in c["present"]:
            if not (out_exists and s.encode() in blobs[-1]):
                problems.append("'%s' missing from the output" % s)
        escaped = set(os.listdir(root)) - before - {os.path.basename(d)}
        escaped |= set(f for f in os.listdir(os.path.dirname(root))
                       if f.startswith(("escape", "pwned", "tmp-escape")))
        if escaped:
            problems.append("files appeared outside the case folder: %s" % sorted(escaped))
        todo = " # TODO " + c["todo"] if c["todo"] else ""
        if problems and not discover:
            failures += 0 if todo else 1
            print("not ok %d - %s%s" % (n, title, todo))
            for pr in problems:
                print("#   " + pr)
            for l in lines[:5]:
                print("#   stderr: " + l[:300])
        else:
            print("ok %d - %s (%.1f CPU s)%s" % (n, title, cpu, todo if todo else
                                            "" if not problems else " # " + "; ".join(problems)))
        sys.stdout.flush()
        shutil.rmtree(d, ignore_errors=True)
    lsock.close()
    if os.environ.get("HOSTILE_KEEP") == "1":
        print("# kept " + root)
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
