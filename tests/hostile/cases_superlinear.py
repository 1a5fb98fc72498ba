"""Hostile cases for the super-linear shapes that tests/hostile/superlinear.py
found, each sized so that it failed (killed at the time cap, or over its
memory cap of 10 x the input plus a constant) before its fix."""

from gen import *  # noqa: F401,F403


# Issue 13, item 10: the old estimate took 500 MiB for these 3 million lines;
# cmark-gfm built 1 GB of nodes (galley's tree 600 MB more) and, under a cap,
# aborted the process (SIGABRT) when an allocation failed.
@case("6 MB of one-letter Markdown lines are refused before cmark-gfm parses them",
      ["p.md", "-o", "out.html"], 1,
      r"galley: p\.md: the Markdown would need about \d+ MiB to parse, over the "
      r"parse memory limit of 174 MiB \(8 times its size plus 128 MiB; "
      r"-O max-parse-memory\)", out="out.html", mem=mem_cap(6000000))
def _(d, ctx):
    write(d + "/p.md", "a\n" * 3000000)


# The autolink extension copies the rest of a text for each email address
# in it (up to 1,000 times): 1 MB of addresses on one line asked cmark-gfm
# for 1 GB, which the old estimate put at 25 MB; under the cap cmark
# aborted.
@case("1 MB of email addresses on one Markdown line is refused before the parse",
      ["p.md", "-o", "out.html"], 1,
      r"galley: p\.md: the Markdown would need about \d+ MiB to parse, over the "
      r"parse memory limit of 136 MiB \(8 times its size plus 128 MiB; "
      r"-O max-parse-memory\)", out="out.html", mem=mem_cap(1000000))
def _(d, ctx):
    write(d + "/p.md", "a@b.c " * 166666 + "\n")


def _xml_doc(body, meta=""):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<document xmlns="urn:galley:tree:1">'
            + ("<meta>%s</meta>" % meta if meta else "") + body + "</document>\n")


# The html writer tried id-2, id-3, ... from 2 for every repeat of an id.
@case("40,000 paragraphs of one id are written as HTML in linear time",
      ["ids.xml", "-o", "out.html"], 0, out="out.html", present=['id="x-40000"'],
      mem=mem_cap(1900000))
def _(d, ctx):
    write(d + "/ids.xml", _xml_doc('<paragraph id="x"><text>a</text></paragraph>' * 40000))


def _keywords(d, ctx):
    write(d + "/kw.xml", _xml_doc("<paragraph><text>a</text></paragraph>",
                                  "".join('<entry key="keyword">k%d</entry>' % i
                                          for i in range(120000))))


# Writers asked for the i-th keyword, which walks the metadata from the
# start each time.
case("120,000 keywords are written as HTML in linear time",
     ["kw.xml", "-o", "out.html"], 0, out="out.html", present=["k119999"],
     mem=mem_cap(4300000))(_keywords)
case("120,000 keywords are written as Markdown front matter in linear time",
     ["kw.xml", "-t", "markdown", "-O", "standalone=true", "-o", "out.md"], 0,
     out="out.md", present=["k119999"], mem=mem_cap(4300000))(_keywords)


# The html reader compared each keyword with all before it.
@case("a page of 120,000 keywords is read in linear time",
      ["kw.html", "-t", "xml", "-o", "out.xml"], 0, out="out.xml", present=["k119999"],
      mem=mem_cap(1000000))
def _(d, ctx):
    write(d + "/kw.html", '<!doctype html><html><head><title>t</title><meta name="keywords" '
          'content="%s"></head><body><p>a</p></body></html>'
          % ",".join("k%d" % i for i in range(120000)))


# libxml2's HTML parser compares each attribute of a tag with all before it.
@case("a tag of 100,000 attributes is refused before the HTML parser sees it",
      ["attrs.html", "-t", "xml", "-o", "out.xml"], 1,
      r"galley: attrs\.html: a tag on line 1 has 100000 attributes: too many for the "
      r"HTML parser \(its time grows with their square\)", out="out.xml",
      mem=mem_cap(1500000))
def _(d, ctx):
    write(d + "/attrs.html", "<!doctype html><p" +
          "".join(' d%d="1"' % i for i in range(100000)) + ">a</p>")


# The same inside an inline svg (whose content is cut before libxml2
# parses), after a DOCTYPE's internal subset (cut too): still counted, and
# named by its line in the page as it came.
@case("a tag of 100,000 attributes in an svg after a DOCTYPE subset is refused",
      ["svg-attrs.html", "-t", "xml", "-o", "out.xml"], 1,
      r"galley: svg-attrs\.html: a tag on line 4 has 100000 attributes: too many "
      r"for the HTML parser \(its time grows with their square\)", out="out.xml",
      mem=mem_cap(1500000))
def _(d, ctx):
    write(d + "/svg-attrs.html", "<!DOCTYPE html [\n<!ENTITY a 'b'>\n]>\n"
          "<p>x</p><svg><g" + "".join(' d%d="1"' % i for i in range(100000)) +
          "/></svg>")


# The text reader measured every column of a table from the start of its
# line, and cut every row again for each column.
@case("a plain-text table of 150,000 columns is read in linear time",
      ["wide.txt", "-t", "xml", "-o", "out.xml"], 0, out="out.xml",
      present=["<text>h149999</text>"], mem=mem_cap(2700000))
def _(d, ctx):
    n = 150000
    write(d + "/wide.txt", "".join("h%06d  " % i for i in range(n)) + "\n" +
          "-------  " * n + "\nx\n")


# The EPUB writer asked for the i-th keyword and author (a walk of the
# metadata from the start each time) and de-duplicated authors by scanning
# all before each one.
case("120,000 keywords are written as EPUB subjects in linear time",
     ["kw.xml", "-t", "epub", "-M", "language=en", "-o", "out.epub"], 0,
     out="out.epub", present=["k119999"], mem=mem_cap(4300000))(_keywords)


@case("60,000 authors are written as EPUB creators in linear time",
      ["au.xml", "-t", "epub", "-M", "language=en", "-o", "out.epub"], 0,
      out="out.epub", present=["Author 59999"], mem=mem_cap(3000000))
def _(d, ctx):
    write(d + "/au.xml", _xml_doc("<paragraph><text>a</text></paragraph>",
                                  "".join('<entry key="author">Author %d</entry>' % i
                                          for i in range(60000))))


# Each <attr> of the xml form was looked up and set with a scan of the
# node's attributes before it.
@case("a node of 100,000 attributes in the xml form is read in linear time",
      ["at.xml", "-t", "xml", "-o", "out.xml"], 0, out="out.xml",
      present=["k99999"], mem=mem_cap(3300000))
def _(d, ctx):
    write(d + "/at.xml", _xml_doc('<paragraph>%s<text>a</text></paragraph>'
                                  % "".join('<attr key="k%d">v</attr>' % i
                                            for i in range(100000))))


# libxml2 2.9 compares each attribute of a start tag with all before it:
# seconds for tens of thousands, before the reader could refuse them.
@case("an xml element of 50,000 attributes is refused before libxml2 parses it",
      ["el.xml", "-o", "out.html"], 1,
      r"galley: el\.xml: line 2: an element has 50000 attributes, over the 256 "
      r"galley's xml form allows", out="out.html", mem=mem_cap(900000))
def _(d, ctx):
    write(d + "/el.xml", _xml_doc('<paragraph %s><text>a</text></paragraph>'
                                  % " ".join('a%d="v"' % i for i in range(50000))))
