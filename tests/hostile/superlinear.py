#!/usr/bin/env python3
"""Searches for super-linear shapes: for each reader, each writer and
--strip, a few dozen small patterns (a nesting of tags, a repeated id, a
footnote, a heading, an entity, ...) are repeated at N x 1, N x 8 and
N x 64 and converted by `galley`; the CPU time and the peak memory of each
run are compared. TAP on standard output, then a table.

    GALLEY_EXE=build/galley python3 tests/hostile/superlinear.py \
        [--runner build/tests/hostile/runcap] [--budget CPU-SECONDS] \
        [--size BYTES] [-j JOBS] [--list] [SHAPE...]

A shape is super-linear when
  - time: what its 64x run takes more than its 1x run is over TIME_RATIO
    times what its 8x run takes more (CPU time, user + system: linear is
    9, quadratic 65), the 64x run takes at least TIME_FLOOR seconds, and a
    run at 256x confirms it (see confirm: from 64x to 256x linear is 4,
    quadratic 16); or a run is stopped at the CPU cap (RUN_CAP seconds);
    or
  - memory: a run's peak resident memory grows past 10 x its input, plus
    NODE_BYTES for each node of the tree, plus MEM_SLACK, over the peak of
    a tiny conversion of the same pair (the promise: a conversion needs at
    most ten times its input and a constant, and the tree's own nodes,
    which the node limit bounds); the input of an EPUB is counted
    unpacked; or
  - a run ends in a crash (a signal, or an exit status other than 0 and 1).
A run refused by a limit (exit 1, one line naming it) is fine if it comes
in time.

--size is the 1x input in bytes (default DEFAULT_SIZE, and at most
MAX_UNITS units, in proportion: the 64x input is at most 400 KB).
Shapes run in a fixed order until --budget is spent: CPU seconds of the
runs, so that a busy machine covers as many shapes as an idle one (default
$SUPERLINEAR_BUDGET, else DEFAULT_BUDGET, which covers every shape); the
rest are reported as skipped, and so are those of a format that is not
loaded. A larger --size and budget search more broadly
(`--size 100000 --budget 3000`). Under AddressSanitizer memory is not
checked, inputs are smaller and the budget longer.

Each run goes through runcap (tests/hostile/runcap.c, built with the tests;
`--runner`, else $GALLEY_BUILD_ROOT/tests/hostile/runcap) for its CPU cap,
its own CPU time and its peak; without it, through GNU time and prlimit.
Each run loads only the plugins it can use (see plugin_env). About 70 s
of CPU in all on the 2-core development machine (busy), a third of it
galley's start (plugins and their libraries: about 18 ms a run, 1,200
runs).

KNOWN lists shapes found here whose fix is elsewhere: when one fails it is
reported as TAP TODO, when it passes (as it may at small sizes) as a plain
ok; take it off the list when its fix lands.
"""

import argparse
import collections
import concurrent.futures
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402  (make_epub, chapter, opf)

TIME_RATIO = 20.0  # (64x - 1x) / (8x - 1x): linear 9, quadratic 65
TIME_FLOOR = 0.2  # seconds at 64x below which time is never judged
RUN_CAP = 5  # CPU seconds for one run at DEFAULT_SIZE (KNOWN: KNOWN_CAP)
KNOWN_CAP = 2
WALL_CAP = 120  # seconds of wall time for one run, should it hang
MEM_FACTOR = 10
NODE_BYTES = 200  # a node of galley's tree, its strings and their arena
# Bytes over a tiny conversion's peak: the constant of the promise (192 MiB
# of address space, gen.MEM_CONSTANT) less the 45 MiB or so that a tiny
# conversion maps without touching, and some room.
MEM_SLACK = 128 << 20
FACTORS = (1, 8, 64)
CONFIRM_FACTOR = 256  # see confirm()
CONFIRM_RATIO = 8  # (256x - 1x) / (64x - 1x): linear 4, quadratic 16
DEFAULT_SIZE = 6000
# At most this many units at 1x: a quadratic cost shows in the units' count
# (25,600 at 64x), and the shapes of a few bytes a unit are the slowest to
# run whole.
MAX_UNITS = 400
DEFAULT_BUDGET = 150  # CPU seconds: all shapes take about 70
# Sanitizer builds run several times slower and their memory means nothing
# here: smaller inputs, a longer budget.
ASAN_SIZE_DIVISOR = 4
ASAN_BUDGET_FACTOR = 2

# Shapes found here whose fix is elsewhere (name: why). They still run and
# print, as TAP TODO, and do not fail the test. Take an entry off when its
# fix is merged.
KNOWN = {
}

WRITERS = ("html", "markdown", "text", "xml", "epub", "gemtext")
EXT = {"html": "html", "markdown": "md", "text": "txt", "xml": "xml",
       "epub": "epub", "gemtext": "gmi"}

# ---- the shapes ------------------------------------------------------------
#
# A shape is an input made of head + unit * n + tail in one format, and the
# command line that converts it. "{i}" in a unit is replaced by the unit's
# index, for patterns that need distinct values (ids, labels, URLs).

SHAPES = []


def shape(name, fmt, unit, head="", tail="", to="xml", args=(), tail_unit=None,
          chapters=False, mid=""):
    """tail_unit: a second unit repeated as many times after the first (and
    `mid`), for patterns whose halves must be apart (references, then their
    targets);
    chapters (EPUB): every 64 units are a chapter of their own."""
    SHAPES.append(dict(name=name, fmt=fmt, unit=unit, head=head, tail=tail,
                       to=to, args=list(args), tail_unit=tail_unit,
                       chapters=chapters, mid=mid))


def html_page(body, head=""):
    return ('<!doctype html><html><head><meta charset="utf-8"><title>t</title>'
            + head + "</head><body>" + body + "</body></html>\n")


HTML_HEAD = html_page("@@").split("@@")[0]
HTML_TAIL = html_page("@@").split("@@")[1]
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<document xmlns="urn:galley:tree:1">\n'
XML_TAIL = "</document>\n"


def md(name, unit, head="", tail="", **kw):
    shape("markdown: " + name, "markdown", unit, head, tail, **kw)


def html(name, unit, head="", tail="", **kw):
    shape("html: " + name, "html", unit, HTML_HEAD + head, tail + HTML_TAIL, **kw)


def html_head(name, unit, head="", tail="", **kw):
    """A pattern repeated inside <head>."""
    shape("html: " + name, "html", unit, HTML_HEAD.replace("</head><body>", "") + head,
          tail + "</head><body><p>text</p>" + HTML_TAIL, **kw)


def text(name, unit, head="", tail="", **kw):
    shape("text: " + name, "text", unit, head, tail, **kw)


def gmi(name, unit, head="", tail="", **kw):
    shape("gemtext: " + name, "gemtext", unit, head, tail, **kw)


def xmlr(name, unit, head="", tail="", **kw):
    kw.setdefault("to", "html")
    shape("xml: " + name, "xml", unit, XML_HEAD + head, tail + XML_TAIL, **kw)


def epub(name, unit, head="", tail="", **kw):
    """One chapter whose body is the pattern (or, with chapters=True, many)."""
    kw.setdefault("to", "html")
    shape("epub: " + name, "epub", unit, head, tail, **kw)


def writer(name, unit, head="", tail="", writers=WRITERS, args=(), tail_unit=None):
    """A tree pattern in galley's xml form, written by each writer."""
    for w in writers:
        a = list(args)
        if w == "epub":
            a += ["-M", "language=en"]
        shape("%s writer: %s" % (w, name), "xml", unit, XML_HEAD + head,
              tail + XML_TAIL, to=w, args=a, tail_unit=tail_unit)


def strip(name, unit, head="", tail="", to="text"):
    shape("--strip: " + name, "html", unit, HTML_HEAD + head, tail + HTML_TAIL,
          to=to, args=["--strip"])


P = "<paragraph><text>%s</text></paragraph>\n"

# -- the markdown reader --
md("short lines", "a\n")
md("plain lines", "ab cd ef gh\n")
md("paragraphs", "a\n\n")
md("list items", "- a\n")
md("empty list items", "-\n")
md("ordered items", "1. a\n")
md("block quote lines", "> a\n")
md("table rows", "| a | b |\n", head="| h | h |\n|---|---|\n")
md("table of many columns", "| a ", head="", tail="|\n|---|\n| b |\n")
md("one link reference repeated", "[a]: /u\n")
md("link references and uses", "[x][a{i}] ", tail_unit="\n\n[a{i}]: /u{i}")
md("uses of one link reference", "[x][a] ", tail="\n\n[a]: /u\n")
md("footnote definitions", "[^a{i}]: b\n")
md("footnotes and references", "x[^n{i}] ", tail_unit="\n\n[^n{i}]: note")
md("references to one footnote", "[^a] ", tail="\n\n[^a]: note\n")
md("html block lines", "<div>\n")
md("html blocks", "<div>a</div>\n\n")
md("thematic breaks", "***\n")
md("one heading repeated", "# a\n")
md("headings", "## h{i}\n")
md("setext headings", "a\n=\n")
md("hard breaks", "a  \n")
md("emphasis", "*a* ")
md("strong emphasis", "**a** ")
md("code spans", "`a` ")
md("inline links", "[a](b) ")
md("images of one src", "![a](b.png) ")
md("inline html", "<a> ")
md("entities", "&amp; ")
md("backslash escapes", "\\* ")
md("strikethrough", "~~a~~ ")
md("www autolinks", "www.a.b ")
md("email autolinks", "a@b.c ")
md("email autolinks on short lines", "a@b.c a@b.c\n")
md("url autolinks", "http://a.b/c ")
md("open brackets", "[")
md("nested quotes", "> > > > a\n")
md("nested lists", "- - - - a\n")
md("task items", "- [ ] a\n")
md("fenced code blocks", "```\na\n```\n")
md("indented code lines", "    a\n", head="x\n\n")
md("one long word", "abcdefghij")
md("white space runs", "          ", head="a", tail="b\n")
md("quotes 40 deep", "> " * 40 + "a\n\n")
md("lists 40 deep", "".join("  " * k + "- a\n" for k in range(40)) + "\n")
md("front matter keys", "k{i}: v\n", head="---\ntitle: t\n", tail="---\n\nx\n")
md("front matter tags", "  - t{i}\n", head="---\ntags:\n", tail="---\n\nx\n")
md("front matter authors", "  - a{i}\n", head="---\nauthor:\n", tail="---\n\nx\n")
md("raw html parsed", "<br> a ", args=["-O", "raw-html=parse"])
md("nested brackets", "[[[[a]]]] ")
md("intraword underscores", "a_b")
md("links with titles", '[a](b "t") ')
md("unclosed emphasis openers", "*a _")

# -- the html reader --
html("paragraphs", "<p>a</p>")
html("unclosed paragraphs", "<p>a")
html("one id repeated", '<p id="x">a</p>')
html("ids", '<p id="x{i}">a</p>')
html("attributes of one element", ' data-a{i}="1"', head="<p", tail=">a</p>")
html("one attribute repeated in one element", ' a="1"', head="<p", tail=">a</p>")
html("classes of one element", " c{i}", head='<p class="', tail='">a</p>')
html("nested divs 20 deep", "<div>" * 20 + "a" + "</div>" * 20)
html("unclosed inline formatting", "<b>a</b><i>b")
html("spans", "<span>a</span>")
html("list items", "<li>a</li>", head="<ul>", tail="</ul>")
html("unclosed list items", "<li>a", head="<ul>", tail="</ul>")
html("table rows", "<tr><td>a</td><td>b</td></tr>", head="<table>", tail="</table>")
html("table columns", "<td>a</td>", head="<table><tr>", tail="</tr></table>")
html("unclosed cells", "<td>a", head="<table><tr>", tail="</tr></table>")
html("links to one anchor", '<a href="#x">a</a> ', tail='<p id="x">x</p>')
html("links", '<a href="/u{i}">a</a> ')
html("images of one src", '<img src="a.png" alt="a">')
html("entities", "&amp;&lt;&eacute;&#x41; ", head="<p>", tail="</p>")
html("white space runs", "    \n\t ", head="<p>a", tail="b</p>")
html("one long word", "abcdefghij", head="<p>", tail="</p>")
html("line breaks", "a<br>", head="<p>", tail="</p>")
html("comments", "<!-- c -->")
html("scripts", "<script>var a = 1;</script>")
html("headings", "<h2>h</h2><p>a</p>")
html("definition lists", "<dt>t</dt><dd>d</dd>", head="<dl>", tail="</dl>")
html("figures", '<figure><img src="a.png"><figcaption>c</figcaption></figure>')
html("pre lines", "a b c\n", head="<pre>", tail="</pre>")
html("code in pre", "<code>a</code>\n", head="<pre>", tail="</pre>")
html("footnotes", '<a href="#fn{i}" class="footnote-ref" id="fnref{i}"><sup>{i}</sup></a> ',
     tail_unit='<li id="fn{i}"><p>n <a href="#fnref{i}" class="footnote-back">b</a></p></li>',
     tail='</ol></section>', head="<p>")
html("inline wrapping blocks", '<a href="x"><h3>a</h3><p>b</p></a>')
html("hidden elements", '<div hidden>a</div><p style="display:none">b</p>')
html("nested lists in lists", "<ul><li>a<ul><li>b</li></ul></li></ul>")
html_head("meta tags", '<meta name="m{i}" content="v">')
html_head("keywords", '<meta property="article:tag" content="t{i}">')
html_head("one keyword repeated", '<meta property="article:tag" content="t">')
html_head("authors", '<meta name="author" content="a{i}">')
html_head("json-ld blocks", '<script type="application/ld+json">'
          '{"@type":"Article","headline":"h","author":{"name":"a{i}"}}</script>')
html_head("json-ld graph nodes", '{"@id":"#n{i}","@type":"Person","name":"p"},',
          head='<script type="application/ld+json">{"@graph":[',
          tail='{"@type":"Article","author":{"@id":"#n1"}}]}</script>')
html("byline elements", '<p class="byline">By A{i}</p>')
html("misnested formatting", "<b><i>a</b>b</i>", head="<p>", tail="</p>")
html("nested divs 200 deep", "<div>" * 200 + "a" + "</div>" * 200)
html("blocks inside one link", "<p>b</p>", head='<a href="x">', tail="</a>")
html("stray text in a table", "a ", head="<table>", tail="</table>")
html("lists nested in lists", "<ul><li>a</li></ul>", head="<ul><li>x", tail="</li></ul>")
html("wide colspans", '<tr><td colspan="1000">a</td></tr>', head="<table>", tail="</table>")
html("tall rowspans", '<tr><td rowspan="65534">a</td><td>b</td></tr>', head="<table>",
     tail="</table>")
html("srcsets", '<img srcset="a.png 1w, b.png 2w, c.png 3w" alt="a">')
html("relative links under a base", '<a href="a/../b/{i}">a</a> ',
     head='<base href="http://x.y/p/q/">')

# -- the xml reader --
xmlr("paragraphs", P % "a")
xmlr("text nodes in one paragraph", "<text>a</text>", head="<paragraph>",
     tail="</paragraph>")
xmlr("attributes of one node", '<attr key="k{i}">v</attr>', head="<paragraph>",
     tail="<text>a</text></paragraph>")
xmlr("metadata entries", '<entry key="keyword">k{i}</entry>', head="<meta>",
     tail="</meta>" + P % "a")
xmlr("resources", '<resource name="r{i}.png" media-type="image/png" encoding="base64">'
     'AAEC</resource>',
     head="<resources>", tail="</resources>" + P % "a")
xmlr("one id repeated", '<paragraph id="x"><text>a</text></paragraph>')
xmlr("block quotes 40 deep", "<block_quote>" * 40 + P % "a" + "</block_quote>" * 40)
xmlr("footnotes", '<paragraph><footnote_ref label="n{i}"/></paragraph>'
     '<footnote label="n{i}">' + P % "n" + "</footnote>")
xmlr("one long text", "abcdefghij", head="<paragraph><text>", tail="</text></paragraph>")
xmlr("xml attributes of one element", ' a{i}="1"', head="<paragraph",
     tail="><text>a</text></paragraph>")

# -- the text reader --
text("short lines", "a\n")
text("paragraphs", "a b c.\n\n")
text("short blocks", "Short line\n\n")
text("list items", "- a\n")
text("ordered items", "1. a\n")
text("quote lines", "> a\n")
text("nested quotes", "> > > > a\n")
text("indented lists", "".join("  " * k + "- a\n" for k in range(20)) + "\n")
text("code lines", "    a\n", head="x\n\n")
text("underlined headings", "Heading\n=======\n\n")
text("thematic breaks", "* * *\n\n")
text("footnotes", "x[^n{i}]\n\n", tail_unit="[^n{i}] note\n\n")
text("links", "http://a.b/{i} ")
text("one long word", "abcdefghij")
text("white space runs", "          ", head="a", tail="b\n")
text("table rows", "a    b\n", head="h    h\n---  ---\n")
text("date lines", "July 19, 2020\n\n")
text("bylines", "By Jane Doe\n\n")
text("tasks", "- [ ] a\n")
text("tabs", "\ta\n")
text("CR line ends", "a\r")
text("wide table", "h{i}  ", mid="\n", tail_unit="---  ", tail="\nx\n")

# -- the gemtext reader --
gmi("lines", "a\n")
gmi("links", "=> http://a.b/{i} l\n")
gmi("items", "* a\n")
gmi("quotes", "> a\n")
gmi("headings", "## h\n")
gmi("preformatted", "```\na\n```\n")
gmi("one long line", "abcdefghij")

# -- the epub reader --
epub("paragraphs", "<p>a</p>")
epub("one id repeated", '<p id="x">a</p>')
epub("ids", '<p id="x{i}">a</p>')
epub("chapters", "<p>a</p>", chapters=True)
epub("chapters with one id", '<p id="x">a</p>', chapters=True)
epub("links to one anchor", '<a href="#x">a</a> ', tail='<p id="x">x</p>')
epub("images of one src", '<img src="a.png" alt="a"/>')
epub("footnotes", '<a epub:type="noteref" href="#n{i}">{i}</a> ',
     tail_unit='<aside epub:type="footnote" id="n{i}"><p>n</p></aside>')
epub("nested divs 20 deep", "<div>" * 20 + "a" + "</div>" * 20)
epub("one long word", "abcdefghij", head="<p>", tail="</p>")
epub("attributes of one element", ' data-a{i}="1"', head="<p", tail=">a</p>")

# -- the writers (from galley's xml form) --
writer("paragraphs", P % "a")
writer("one paragraph of words", "<text>abc def </text>", head="<paragraph>",
       tail="</paragraph>")
writer("one long word", "abcdefghij", head="<paragraph><text>",
       tail="</text></paragraph>")
writer("white space runs", "          ", head="<paragraph><text>a",
       tail="b</text></paragraph>")
writer("soft breaks", "<text>a</text><soft_break/>", head="<paragraph>",
       tail="</paragraph>")
writer("line breaks", "<text>a</text><line_break/>", head="<paragraph>",
       tail="</paragraph>")
writer("one heading repeated", '<heading level="2"><text>a</text></heading>')
writer("headings", '<heading level="2"><text>h{i}</text></heading>' + P % "a")
writer("one id repeated", '<paragraph id="x"><text>a</text></paragraph>')
writer("ids", '<paragraph id="x{i}"><text>a</text></paragraph>')
writer("footnotes", '<paragraph><footnote_ref label="n{i}"/></paragraph>',
       tail_unit='<footnote label="n{i}">' + P % "n" + "</footnote>")
writer("references to one footnote", '<footnote_ref label="n"/>',
       head="<paragraph>", tail='</paragraph><footnote label="n">' + P % "n" +
       "</footnote>")
writer("links", '<link url="http://a.b/{i}"><text>a</text></link><text> </text>',
       head="<paragraph>", tail="</paragraph>")
writer("links to one url", '<link url="http://a.b/"><text>a</text></link><text> </text>',
       head="<paragraph>", tail="</paragraph>")
writer("images of one src", '<image url="a.png"><text>a</text></image>',
       head="<paragraph>", tail="</paragraph>")
writer("emphasis", "<emph><text>a</text></emph><text> </text>", head="<paragraph>",
       tail="</paragraph>")
writer("adjacent emphasis", "<emph><text>a</text></emph>", head="<paragraph>",
       tail="</paragraph>")
writer("nested emphasis 20 deep", "<emph><strong>" * 10 + "<text>a</text>" +
       "</strong></emph>" * 10 + "<text> </text>", head="<paragraph>",
       tail="</paragraph>")
writer("code spans", "<code>a</code><text> </text>", head="<paragraph>",
       tail="</paragraph>")
writer("list items", "<item>" + P % "a" + "</item>", head="<list>", tail="</list>")
writer("lists 30 deep", "<list><item>" * 30 + P % "a" + "</item></list>" * 30)
writer("block quotes 30 deep", "<block_quote>" * 30 + P % "a" + "</block_quote>" * 30)
writer("table rows", "<table_row><table_cell><text>a</text></table_cell>"
       "<table_cell><text>b</text></table_cell></table_row>", head="<table>",
       tail="</table>")
writer("table columns", "<table_cell><text>a</text></table_cell>",
       head="<table><table_row>", tail="</table_row></table>")
writer("code block lines", "a b c\n", head="<code_block>", tail="</code_block>")
writer("raw blocks", '<raw_block format="html">&lt;hr&gt;</raw_block>')
writer("definitions", "<term><text>t</text></term><definition>" + P % "d" +
       "</definition>", head="<definition_list>", tail="</definition_list>")
writer("keywords", '<entry key="keyword">k{i}</entry>', head="<meta>",
       tail="</meta>" + P % "a")
writer("tasks", '<item task="open">' + P % "a" + "</item>", head="<list>",
       tail="</list>")
writer("spanning cells", '<table_row><table_cell colspan="2"><text>a</text>'
       "</table_cell></table_row>", head="<table>", tail="</table>")
writer("authors", '<entry key="author">a{i}</entry>', head="<meta>",
       tail="</meta>" + P % "a")
writer("level-1 headings", '<heading level="1"><text>h{i}</text></heading>' + P % "a")
writer("wide colspans", '<table_row><table_cell colspan="1000"><text>a</text>'
       "</table_cell></table_row>", head="<table>", tail="</table>")
writer("tall rowspans", '<table_row><table_cell rowspan="65534"><text>a</text>'
       "</table_cell><table_cell><text>b</text></table_cell></table_row>",
       head="<table>", tail="</table>")
writer("nested lists 30 deep with text", "<list><item>" * 30 +
       "<paragraph><text>%s</text></paragraph>" % ("word " * 30) +
       "</item></list>" * 30)
writer("links in one paragraph", '<link url="http://a.b/{i}"><text>a</text></link>'
       "<text> </text>", head="<paragraph>", tail="</paragraph>",
       writers=("gemtext",))
shape("markdown writer: keywords in front matter", "xml",
      '<entry key="keyword">k{i}</entry>', XML_HEAD + "<meta>",
      "</meta>" + P % "a" + XML_TAIL, to="markdown", args=["-O", "standalone=true"])
writer("wrapped paragraph of words", "<text>abc def </text>", head="<paragraph>",
       tail="</paragraph>", writers=("markdown", "text"), args=["-O", "wrap=40"])

# -- --strip --
strip("paragraphs", "<p>Some words of a sentence here.</p>")
strip("divs with classes", '<div class="c{i} post">words and more words</div>')
strip("links", '<a href="/u{i}">link</a> ', head="<div>", tail="</div>")
strip("navigation items", '<li><a href="/u{i}">nav</a></li>', head="<ul>", tail="</ul>")
strip("nested divs 20 deep", "<div>" * 20 + "<p>Words here, a sentence.</p>" +
      "</div>" * 20)
strip("paragraphs in one div", "<p>Words here, a sentence of text.</p>",
      head='<div class="content">', tail="</div>")
strip("short texts", "<span>a</span> ")
strip("headings", "<h2>h</h2><p>Words here, a sentence of text.</p>")
strip("sibling articles", "<article><p>Words of text here.</p></article>")
strip("nested divs 200 deep", "<div>" * 200 + "<p>Words here, a sentence.</p>" +
      "</div>" * 200)
strip("same-class siblings", '<div class="item"><a href="/x">link</a> text</div>')


# ---- running -----------------------------------------------------------------


def uses_asan(exe):
    try:
        out = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    except OSError:
        out = ""
    if "libasan" in out:
        return True
    with open(exe, "rb") as f:
        return b"__asan_init" in f.read()


def expand(unit, n, start=0):
    if "{i}" not in unit:
        return unit * n
    return "".join(unit.replace("{i}", str(start + i)) for i in range(n))


def build(s, n, path):
    """Writes the shape's input with n units to path; returns its size in
    bytes (unpacked, for an EPUB)."""
    body = s["head"] + expand(s["unit"], n)
    tail = s["tail"]
    if s["tail_unit"]:
        body += s["mid"] + expand(s["tail_unit"], n)
    if s["fmt"] != "epub":
        data = (body + tail).encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        return len(data)
    files = {}
    if s["chapters"]:
        # Every 64 units a chapter: at 64x, under the entry limit.
        per = 64
        for c in range((n + per - 1) // per):
            files["EPUB/c%05d.xhtml" % c] = gen.chapter(
                expand(s["unit"], min(per, n - c * per), c * per))
    else:
        files["EPUB/c.xhtml"] = gen.chapter(
            '<div xmlns:epub="http://www.idpf.org/2007/ops">' + body + tail + "</div>")
    gen.make_epub(path, files)
    return sum(len(v.encode("utf-8")) for v in files.values())


TIME = "/usr/bin/time"
RUNNER = None  # tests/hostile/runcap, built beside the tests (--runner)


def run(argv, cap, env=None):
    """(cpu seconds, peak RSS bytes, exit status or -signal, first error
    line, stopped at the cap). `env`: the environment of the run (None:
    this script's).

    With RUNNER (runcap.c), the figures are the run's own: its CPU time to
    the microsecond and the peak of a process forked from a small one.
    Without it, GNU time and prlimit: the CPU time is the kernel's for the
    run and both wrappers (a few ms, about the same each run: the 1x run's
    time takes it off), the peak GNU time's (a child of this script would
    count the script's own memory in its peak: the kernel carries the
    parent's high-water mark over exec). Either way the cap is on CPU time,
    so that a busy machine does not stop a run that an idle one finishes;
    a run that hangs without using CPU is killed at WALL_CAP."""
    use_time = not RUNNER and os.access(TIME, os.X_OK)
    with tempfile.NamedTemporaryFile() as err, tempfile.NamedTemporaryFile() as tf:
        if RUNNER:
            cmd = [RUNNER, str(cap), tf.name] + argv
        else:
            cmd = (([TIME, "-q", "-f", "%U %S %M", "-o", tf.name] if use_time else []) +
                   ["prlimit", "--cpu=%d" % cap] + argv)  # SIGKILL past `cap`
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err, start_new_session=True, env=env)
        hung = []

        def kill():
            hung.append(True)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        # A blocking wait (a polling one cost this script 10 s of CPU over
        # all the runs); the timer ends a run that hangs without using CPU.
        timer = threading.Timer(WALL_CAP, kill)
        timer.start()
        try:
            pid, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        stopped = bool(hung)
        p.returncode = 0  # reaped above
        with open(err.name, encoding="utf-8", errors="replace") as f:
            lines = [l for l in f.read().splitlines()
                     if l and ": warning: " not in l and ": note: " not in l]
        cpu, rss = ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024
        rc = os.waitstatus_to_exitcode(status)
        with open(tf.name) as f:
            fields = f.read().split() if not stopped else []
        if RUNNER:
            # No report: runcap failed (its status and message stand, and
            # fail the shape) or was killed.
            if len(fields) == 4:
                cpu = float(fields[0]) + float(fields[1])
                rss, rc = int(fields[2]) * 1024, int(fields[3])
        else:
            if use_time and len(fields) >= 3:
                rss = int(fields[2]) * 1024
            # GNU time exits with its command's status, or 128 + the signal
            # that ended it.
            if rc > 128:
                rc = -(rc - 128)
    stopped = stopped or rc in (-signal.SIGXCPU, -signal.SIGKILL)
    return cpu, rss, rc, lines[0] if lines else "", stopped


def plugin_env(s):
    """The environment of a shape's runs: when $GALLEY_PLUGIN_SYSTEM_PATH
    lists one folder a plugin (as meson test sets it), only the folders of
    the plugins the conversion can use, so that each run does not load
    every plugin's libraries (a third of a tiny run's CPU time, over two
    thousand runs). The html plugin is always kept: the EPUB reader and
    writer and the Markdown reader's raw-html=parse call it. None: this
    script's own environment."""
    path = os.environ.get("GALLEY_PLUGIN_SYSTEM_PATH")
    if not path or os.environ.get("GALLEY_PLUGIN_PATH"):
        return None
    want = {s["fmt"], s["to"], "xml", "html"}
    if "--strip" in s["args"]:
        want.add("boilerplate")
    dirs = path.split(":")
    kept = [d for d in dirs if os.path.basename(d.rstrip("/")) in want]
    if len({os.path.basename(d.rstrip("/")) for d in kept}) < len(want):
        return None  # not one folder a plugin: keep them all
    env = dict(os.environ)
    env["GALLEY_PLUGIN_SYSTEM_PATH"] = ":".join(kept)
    return env


def command(exe, s, inp, out, to=None, strip_args=False):
    args = [a for a in s["args"] if not strip_args or a == "--strip"]
    return [exe, "-f", s["fmt"], inp, "-t", to or s["to"]] + args + ["-o", out]


NODE_TAG = re.compile(rb"<(?!/|\?|entry\b|attr\b|meta\b|resources?\b|document\b)[a-z]")


def count_nodes(path):
    """The tree nodes in galley's xml form (one element each)."""
    with open(path, "rb") as f:
        return len(NODE_TAG.findall(f.read()))


def fmt_mb(b):
    return "%.1f" % (b / 1048576.0)


BASE = {}  # (format, writer, options): the peak of a tiny conversion
BASE_LOCK = threading.Lock()


def time_ratio(t1, t8, t64):
    """What the 64x run takes more than the 1x one (starting galley,
    loading its plugins) over what the 8x run takes more: 9 when linear, 65
    when quadratic."""
    return (t64 - t1) / max(t8 - t1, 0.01)


def confirm(exe, s, inp, out, n1, times, nodes, cap, env, base, asan, what):
    """A time ratio over TIME_RATIO at 1x, 8x and 64x is confirmed at
    CONFIRM_FACTOR (256x): the small runs differ by a few ms, in which the
    noise of a busy machine or a fixed cost (a buffer, a zip entry) can
    hide, while from 64x to 256x a linear shape takes 4 times as long
    and a quadratic one 16. Its cap is 8 times the 64x run, so that a
    linear shape always finishes and a quadratic one is stopped early.
    Returns the problems (none when it was noise)."""
    t1, t64 = times[0], times[2]
    f = CONFIRM_FACTOR
    in_size = build(s, n1 * f, inp)
    big_cap = max(cap, int(math.ceil(8 * t64)))
    cpu, rss, rc, err, killed = run(command(exe, s, inp, out), big_cap, env)
    if killed:
        return [what, "and stopped at %gs of CPU at %dx (linear: about %.1fs)"
                % (big_cap, f, t1 + 4 * (t64 - t1))]
    if rc not in (0, 1):
        return ["exit %d at %dx: %s" % (rc, f, err[:120])]
    problems = []
    allowed = MEM_FACTOR * in_size + NODE_BYTES * nodes * f + MEM_SLACK
    if not asan and rc == 0 and rss - base > allowed:
        problems.append("%s MB at %dx for %s MB of input" % (fmt_mb(rss), f, fmt_mb(in_size)))
    growth = (cpu - t1) / max(t64 - t1, 0.01)
    if growth > CONFIRM_RATIO:
        problems += [what, "and x%.1f from 64x to %dx (%.2fs; linear: 4)" % (growth, f, cpu)]
    return problems


def measure(exe, s, size, max_units, run_cap, root, k, asan):
    """Runs one shape at 1x, 8x and 64x; returns (results, problems,
    nodes at 1x)."""
    d = os.path.join(root, "%03d" % k)
    os.makedirs(d)
    inp = os.path.join(d, "in." + EXT[s["fmt"]])
    out = os.path.join(d, "out." + EXT[s["to"]])
    key = (s["fmt"], s["to"], tuple(s["args"]))
    cap = KNOWN_CAP if s["name"] in KNOWN else run_cap
    env = plugin_env(s)
    with BASE_LOCK:
        base = BASE.get(key)
    if base is None:
        build(s, 1, inp)
        base = run(command(exe, s, inp, out), cap, env)[1]
        with BASE_LOCK:
            BASE[key] = base
    unit_len = max(1, len(expand(s["unit"], 1, 0).encode()) +
                   (len(expand(s["tail_unit"], 1, 0).encode()) if s["tail_unit"] else 0))
    n1 = max(1, min(size // unit_len, max_units))
    res, problems, nodes = [], [], 0
    for f in FACTORS:
        in_size = build(s, n1 * f, inp)
        cpu, rss, rc, err, killed = run(command(exe, s, inp, out), cap, env)
        res.append((in_size, cpu, rss, rc, err, killed))
        if f == 1:
            # The tree's nodes: from the input in the xml form, from the
            # output in it, else from a conversion to it.
            if s["fmt"] == "xml":
                nodes = count_nodes(inp)
            elif s["to"] == "xml" and "--strip" not in s["args"]:
                nodes = count_nodes(out) if rc == 0 else 0
            else:
                tree = os.path.join(d, "tree.xml")
                run(command(exe, s, inp, tree, "xml", True), cap, env)
                nodes = count_nodes(tree) if os.path.exists(tree) else 0
        if killed:
            problems.append("stopped at %gs of CPU at %dx" % (cap, f))
            break
        if rc not in (0, 1):
            problems.append("exit %d at %dx: %s" % (rc, f, err[:120]))
            break
        allowed = MEM_FACTOR * in_size + NODE_BYTES * nodes * f + MEM_SLACK
        if not asan and rc == 0 and rss - base > allowed:
            problems.append("%s MB at %dx for %s MB of input, %d nodes (over %s MB: "
                            "10 x the input + %d bytes a node + %d MB)"
                            % (fmt_mb(rss), f, fmt_mb(in_size), nodes * f,
                               fmt_mb(allowed + base), NODE_BYTES, MEM_SLACK >> 20))
        # A refusal (rc 1) is bounded in memory; its time is judged too:
        # what is refused may have been parsed whole first.
    if len(res) == 3 and not problems:
        times = [r[1] for r in res]
        ratio = time_ratio(*times)
        if times[2] >= TIME_FLOOR and ratio > TIME_RATIO:
            what = "time x%.0f from 8x to 64x, over the 1x run (%.2fs, %.2fs, %.2fs)" % (
                ratio, times[0], times[1], times[2])
            if s["name"] in KNOWN:
                problems.append(what)
            else:
                problems += confirm(exe, s, inp, out, n1, times, nodes, cap, env, base,
                                    asan, what)
    shutil.rmtree(d, ignore_errors=True)
    return res, problems, nodes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--budget", type=float,
                    default=float(os.environ.get("SUPERLINEAR_BUDGET", "0")) or None,
                    help="CPU seconds to spend (default: $SUPERLINEAR_BUDGET, else %d)"
                    % DEFAULT_BUDGET)
    ap.add_argument("--size", type=int, default=None,
                    help="bytes of the 1x input (default %d)" % DEFAULT_SIZE)
    ap.add_argument("-j", "--jobs", type=int, default=2,
                    help="shapes measured at once (default 2)")
    ap.add_argument("--runner", default=os.environ.get("SUPERLINEAR_RUNNER"),
                    help="tests/hostile/runcap from the build (default: "
                    "$SUPERLINEAR_RUNNER, else $GALLEY_BUILD_ROOT/tests/hostile/runcap "
                    "when built, else GNU time and prlimit)")
    ap.add_argument("--list", action="store_true", help="list the shapes")
    ap.add_argument("names", nargs="*", help="only shapes whose name holds one of these")
    opt = ap.parse_args()
    shapes = [s for s in SHAPES if not opt.names or any(w in s["name"] for w in opt.names)]
    if opt.list:
        for s in shapes:
            print(s["name"])
        return 0
    exe = os.environ.get("GALLEY_EXE")
    if not exe or not os.access(exe, os.X_OK):
        print("1..0 # SKIP GALLEY_EXE is not set")
        return 0
    exe = os.path.abspath(exe)
    global RUNNER
    runner = opt.runner
    if not runner and os.environ.get("GALLEY_BUILD_ROOT"):
        runner = os.path.join(os.environ["GALLEY_BUILD_ROOT"], "tests", "hostile", "runcap")
    if runner and os.access(runner, os.X_OK):
        RUNNER = os.path.abspath(runner)
    elif opt.runner:
        print("Bail out! --runner %s is not an executable" % opt.runner)
        return 1
    asan = uses_asan(exe)
    listed = subprocess.run([exe, "--list-formats"], capture_output=True,
                            text=True).stdout.split()
    budget = opt.budget or DEFAULT_BUDGET * (ASAN_BUDGET_FACTOR if asan else 1)
    size = opt.size or DEFAULT_SIZE // (ASAN_SIZE_DIVISOR if asan else 1)
    max_units = max(1, MAX_UNITS * size // DEFAULT_SIZE)
    # Larger inputs take longer, linearly.
    run_cap = max(RUN_CAP, int(RUN_CAP * size / DEFAULT_SIZE))
    root = tempfile.mkdtemp(prefix="galley-superlinear-")
    print("1..%d" % len(shapes))
    print("# %d shapes; 1x input about %d bytes; budget %.0f s of CPU; runs measured "
          "by %s%s" % (len(shapes), size, budget,
                       "runcap" if RUNNER else "GNU time and prlimit",
                       "; AddressSanitizer: memory not checked" if asan else ""))
    start = time.monotonic()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)

    def cpu_spent():
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime

    rows, offending = [], []
    pool = concurrent.futures.ThreadPoolExecutor(max(1, opt.jobs))
    pending = collections.deque()
    k = 0

    def report(k, s, fut):
        name = s["name"]
        if fut is None or isinstance(fut, str):
            why = fut or "budget spent"
            print("ok %d - %s # SKIP %s" % (k, name, why))
            rows.append((name, None, ["not run: " + why], 0))
            return
        res, problems, nodes = fut.result()
        cols = "  ".join("%dx %s MB %.2fs %s MB%s" % (f, fmt_mb(r[0]), r[1], fmt_mb(r[2]),
                                                      "" if r[3] == 0 else " rc %d" % r[3])
                         for f, r in zip(FACTORS, res))
        refused = [r[4] for r in res if r[3] == 1]
        note = ("; refused: " + refused[0][:110]) if refused else ""
        rows.append((name, res, problems, nodes))
        todo = KNOWN.get(name)
        if problems:
            print("not ok %d - %s%s" % (k, name, " # TODO " + todo if todo else ""))
            if not todo:
                offending.append((name, problems))
            for p in problems:
                print("#   " + p)
        else:
            # Not TAP's "ok # TODO", which harnesses count as a failure:
            # a known shape may pass at small sizes.
            print("ok %d - %s%s" % (k, name, " (on KNOWN: passes at this size)"
                                    if todo else ""))
        print("#   %s; %d nodes at 1x%s" % (cols, nodes, note))
        sys.stdout.flush()

    for s in shapes:
        k += 1
        while len(pending) >= max(1, opt.jobs):
            report(*pending.popleft())
        if cpu_spent() > budget:
            pending.append((k, s, None))
            continue
        if s["fmt"] not in listed or s["to"] not in listed:
            pending.append((k, s, "format not loaded"))
            continue
        pending.append((k, s, pool.submit(measure, exe, s, size, max_units, run_cap, root, k, asan)))
    while pending:
        report(*pending.popleft())
    pool.shutdown()
    shutil.rmtree(root, ignore_errors=True)
    print("# %d shapes in %.0f s (%.0f s of CPU)" % (len(shapes), time.monotonic() - start,
                                                     cpu_spent()))
    print("# %-54s %7s %7s %6s %6s %7s %6s" % ("shape", "MB 64x", "nodes", "s 8x",
                                              "s 64x", "MB RSS", "B/node"))
    for name, res, problems, nodes in rows:
        if not res:
            print("# %-54s %s" % (name[:54], problems[0]))
            continue
        last = res[-1]
        f = FACTORS[len(res) - 1]
        t8 = "%.2f" % res[1][1] if len(res) > 1 else "-"
        per_node = (last[2] / (nodes * f)) if nodes and last[3] == 0 else 0
        print("# %-54s %7s %7d %6s %6.2f %7s %6.0f%s" % (
            name[:54], fmt_mb(last[0]), nodes * f, t8, last[1], fmt_mb(last[2]), per_node,
            " <-- " + problems[0] if problems else
            " (refused)" if last[3] == 1 else ""))
    if offending:
        print("# super-linear shapes:")
        for name, problems in offending:
            print("#   %s: %s" % (name, "; ".join(problems)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
