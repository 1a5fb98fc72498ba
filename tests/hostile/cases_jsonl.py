"""Hostile cases for --jsonl: records never read local files, a line is never
held past --max-input-size, and what the stream holds at once is bounded by
bytes, not only by a count of records."""

from gen import *  # noqa: F401,F403

import base64
import io
import json
import re
import zipfile


def records(proc):
    """The answer lines of a --jsonl run, parsed."""
    return [json.loads(l) for l in proc.stdout.decode("utf-8").splitlines()]


def answer_text(rec):
    """What a record's answer carries: its content, or its EPUB unzipped."""
    if "content_base64" not in rec:
        return (rec.get("content") or "").encode()
    data = base64.b64decode(rec["content_base64"])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"\n".join(z.read(n) for n in z.namelist())


def expect_answers(want):
    """A check: one answer per record in order, each with the id and the
    error (None, or a regular expression) of `want`, and no secret in any
    content (base64 of an EPUB hides it from the plain `absent` test)."""
    def check(d, proc):
        try:
            recs = records(proc)
        except (ValueError, UnicodeDecodeError) as e:
            return ["standard output is not JSON lines: %s" % e]
        problems = []
        got = [(r.get("id"), r.get("error")) for r in recs]
        if len(recs) != len(want):
            return ["%d answers, expected %d: %s" % (len(recs), len(want), got)]
        for (rid, err), (wid, werr) in zip(got, want):
            if rid != wid:
                problems.append("answer for %r where %r was expected" % (rid, wid))
            if werr is None and err is not None:
                problems.append("record %r failed: %s" % (rid, err))
            if werr is not None and not (err and re.fullmatch(werr, err)):
                problems.append("record %r: error %r does not match /%s/" % (rid, err, werr))
        for r in recs:
            text = answer_text(r)
            for s in NOLEAK:
                if s.encode() in text:
                    problems.append("record %r carries '%s'" % (r.get("id"), s))
        return problems
    return check

# -- records never read local files --

LOCAL = r"image %s: local files are not read for this input; kept its alt text"


def _xml_record(rid, body, base=None):
    doc = ('<document xmlns="urn:galley:tree:1"%s>%s</document>'
           % (' base="%s"' % base if base else "", body))
    return json.dumps({"id": rid, "format": "xml", "content": doc})


def _image(url):
    return '<paragraph><image url="%s"><text>alt</text></image></paragraph>' % url


def _local_records(d, ctx):
    """Three ways a record could name a file outside: the xml form's
    base="/", a digest article's own base, and a plain relative src."""
    rel = ctx["secret"].lstrip("/")
    # A copy in the folder galley runs in: a record has no folder of its
    # own, so not even the current one is a root.
    write(d + "/secret.png", open(ctx["secret"], "rb").read())
    lines = [
        _xml_record("base", _image(rel), base="/"),
        _xml_record("article", '<div tag="article"><attr key="galley-article">1'
                    '</attr><attr key="base">/</attr>%s</div>' % _image(rel)),
        json.dumps({"id": "html", "format": "html",
                    "content": '<p>pic <img src="secret.png" alt="alt"></p>'}),
    ]
    write(d + "/in.jsonl", "\n".join(lines) + "\n")


def _warned_local(d, proc):
    recs = records(proc)
    problems = []
    for r in recs:
        if not any(re.fullmatch(LOCAL % ".*", w) for w in r.get("warnings") or []):
            problems.append("record %r has no 'local files are not read' warning: %s"
                            % (r.get("id"), r.get("warnings")))
    return problems


def _both(*checks):
    return lambda d, p: [x for c in checks for x in c(d, p)]


case("a --jsonl record reads no local file, whatever base it names",
     ["--jsonl", "-t", "epub", "-M", "language=en", "-M", "title=T"], 0,
     stdin="in.jsonl", absent=NOLEAK,
     check=_both(expect_answers([("base", None), ("article", None), ("html", None)]),
                 _warned_local))(_local_records)

case("--resource-path is refused with --jsonl, and nothing is read",
     ["--jsonl", "-t", "epub", "--resource-path", "..", "-M", "language=en"], 2,
     r"galley: --resource-path does not apply to --jsonl: record content never "
     r"reads local files \(see galley --help\)",
     stdin="in.jsonl", absent=NOLEAK, check=expect_answers([]))(_local_records)

# -- a line is held no further than --max-input-size --

OVER = (r"line %d: the record is %d bytes, over the input size limit of %d bytes "
        r"\(--max-input-size\)")
FAILED = r'galley: -: %d of %d records failed \(see their "error"\)'


BIG_HEAD = '{"id": "big", "format": "text", "content": "'
PAD = 2 << 20


@case("a --jsonl line over --max-input-size answers an error and the stream goes on",
      ["--jsonl", "-t", "text", "--max-input-size", "1M"], 1, FAILED % (2, 4),
      stdin="in.jsonl",
      check=expect_answers([(1, None),
                            ("big", OVER % (2, len(BIG_HEAD) + PAD + 2, 1 << 20)),
                            (None, OVER % (3, PAD + 2, 1 << 20)), (4, None)]))
def _(d, ctx):
    write(d + "/in.jsonl", "\n".join([
        json.dumps({"id": 1, "format": "text", "content": "one"}),
        BIG_HEAD + "x" * PAD + '"}',
        '"' + "x" * PAD + '"',
        json.dumps({"id": 4, "format": "text", "content": "four"}),
    ]) + "\n")


LIMIT = 256 << 20
HUGE_HEAD = b'{"id": "huge", "format": "text", "content": "'
HUGE = 300 << 20


def _huge(d, ctx):
    with open(d + "/in.jsonl", "wb") as f:
        f.write(HUGE_HEAD)
        chunk = b"abcde fghi" * (1 << 20)
        for _ in range(HUGE // len(chunk)):
            f.write(chunk)
        f.write(b'"}\n')
        f.write(b'{"id": "after", "format": "text", "content": "still here"}\n')


# The cap: the line up to the limit, the window's 64 MiB, and what any run
# needs. Reading the line whole (and copying it) needs more than twice it.
case("a 300 MB --jsonl record over a 256M limit is refused without being held",
     ["--jsonl", "-j", "2", "-t", "text", "--max-input-size", "256M"], 1,
     FAILED % (1, 2),
     stdin="in.jsonl", big=True, mem=LIMIT + (64 << 20) + MEM_CONSTANT,
     check=expect_answers([("huge", OVER % (1, len(HUGE_HEAD) + HUGE + 2, LIMIT)),
                           ("after", None)]))(_huge)


# -- what is in flight is bounded by bytes --

ONE = 24 << 20


# Sixteen records of 24 MB (white space around a small content: jansson
# parses it fast) under the cap of one 24 MB conversion: holding all of a
# chunk's records at once, as a count alone allows, needs 384 MB of lines.
@case("sixteen 24 MB --jsonl records stay within the memory of one",
      ["--jsonl", "-j", "2", "-t", "text"], 0, stdin="in.jsonl", big=True,
      mem=mem_cap(ONE), check=expect_answers([(i, None) for i in range(16)]))
def _(d, ctx):
    pad = b" " * ONE
    with open(d + "/in.jsonl", "wb") as f:
        for i in range(16):
            f.write(b'{"id": %d, "format": "text", "content": "record %d"' % (i, i)
                    + pad + b"}\n")
