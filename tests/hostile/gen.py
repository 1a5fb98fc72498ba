#!/usr/bin/env python3
"""Writes the hostile inputs, one folder per case, with only the standard
library. Imported by hostile.py (which runs each case and checks its exact
outcome); run alone it writes every case under a folder to look at:

    python3 tests/hostile/gen.py OUT_DIR [CASE...]

Nothing here is a binary blob in the repository: every input is built from
a few lines of code at test time. Large inputs (the 200 MB line, the zip
bombs) are cheap to make: the bombs repeat one precomputed deflate block,
and big images are sparse files.
"""

import os
import struct
import sys
import zipfile
import zlib

SECRET = "SECRET-7f3a9c-do-not-leak"
PASSWD_MARK = "root:x:0:0"

# ---- helpers ---------------------------------------------------------------


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def png_bytes(extra=b""):
    """A valid 1x1 PNG, with `extra` bytes in a private ancillary chunk."""

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if extra:
        out += chunk(b"prVt", extra)
    return out + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def sparse_png(path, size):
    """A PNG header followed by zeros up to `size` bytes, as a sparse file."""
    head = png_bytes()
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)


CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def opf(items, spine, title="Hostile", prolog=""):
    manifest = "\n".join(
        '    <item id="%s" href="%s" media-type="%s"/>' % i for i in items
    )
    refs = "\n".join('    <itemref idref="%s"/>' % s for s in spine)
    return """<?xml version="1.0" encoding="UTF-8"?>
%s<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:00000000-0000-4000-8000-000000000000</dc:identifier>
    <dc:title>%s</dc:title>
    <dc:language>en</dc:language>
  </metadata>
  <manifest>
%s
  </manifest>
  <spine>
%s
  </spine>
</package>
""" % (prolog, title, manifest, refs)


def chapter(body, prolog=""):
    return """<?xml version="1.0" encoding="UTF-8"?>
%s<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title></head>
<body>%s</body></html>
""" % (prolog, body)


def make_epub(path, files, container=CONTAINER, package=None):
    """An EPUB from {name: bytes}; the package lists every .xhtml in order."""
    if package is None:
        names = [n for n in files if n.endswith(".xhtml")]
        items = [("c%d" % i, n[len("EPUB/"):] if n.startswith("EPUB/") else n,
                  "application/xhtml+xml") for i, n in enumerate(names)]
        package = opf(items, [i[0] for i in items])
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", container, zipfile.ZIP_DEFLATED)
        z.writestr("EPUB/package.opf", package, zipfile.ZIP_DEFLATED)
        for name, data in files.items():
            z.writestr(name, data, zipfile.ZIP_DEFLATED)


def zeros_deflate(total_mib):
    """(raw deflate stream, crc32) of total_mib MiB of zeros, made by
    repeating one full-flushed block: fast whatever the size."""
    mib = b"\0" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)
    crc = 0
    # crc32 of n MiB of zeros: fold MiB by MiB (about a second per GiB).
    for _ in range(total_mib):
        crc = zlib.crc32(mib, crc)
    return block * total_mib + tail, crc & 0xFFFFFFFF


def raw_zip(path, entries):
    """A zip written by hand, so an entry may lie about its sizes.
    entries: (name, method, data, crc, compressed_size, declared_size)."""
    out = bytearray()
    central = bytearray()
    for name, method, data, crc, csize, usize in entries:
        nameb = name.encode()
        off = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21,
                           crc, csize, usize, len(nameb), 0) + nameb + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0,
                               method, 0, 0x21, crc, csize, usize, len(nameb),
                               0, 0, 0, 0, 0, off) + nameb
    cd_off = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries),
                       len(entries), len(central), cd_off, 0)
    write(path, bytes(out))


def stored(name, data):
    data = data.encode() if isinstance(data, str) else data
    return (name, 0, data, zlib.crc32(data) & 0xFFFFFFFF, len(data), len(data))


def bomb_epub(path, mib, declared=None):
    stream, crc = zeros_deflate(mib)
    size = mib << 20 if declared is None else declared
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    raw_zip(path, [
        stored("mimetype", "application/epub+zip"),
        stored("META-INF/container.xml", CONTAINER),
        stored("EPUB/package.opf", opf(items, ["c0"])),
        ("EPUB/ch.xhtml", 8, stream, crc, len(stream), size),
    ])


LAUGHS = """<!DOCTYPE %s [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def xxe(root, secret_path):
    return '<!DOCTYPE %s [<!ENTITY xxe SYSTEM "file://%s">]>\n' % (root, secret_path)


def xxe_net(root, port):
    return ('<!DOCTYPE %s SYSTEM "http://127.0.0.1:%d/x.dtd" [<!ENTITY net SYSTEM '
            '"http://127.0.0.1:%d/e.txt">]>\n' % (root, port, port))


GALLEY_XML = """<?xml version="1.0" encoding="UTF-8"?>
%s<document xmlns="urn:galley:tree:1"><paragraph><text>%s</text></paragraph></document>
"""

# ---- the cases ---------------------------------------------------------------
#
# Each case: name (a sentence), a function that writes its files into a
# folder (the case's own; the secret lives one level up, in the run's root),
# the command line after `galley`, and the exact outcome:
#   rc       the exit status
#   err      a regular expression one stderr line must match in full
#   out      the output file (relative); it must not exist when rc != 0
#   absent   strings that must not appear in stdout, stderr or the output
#            (an EPUB output is unzipped first)
#   present  strings that must appear in the output
#   maxout   the output's largest size in bytes (no entity was expanded)
#   big      True for cases that write more than 100 MB (skippable)
#   stdin    a file (relative) fed on standard input
#   old      bytes already in `out` before the run: a failure must leave
#            them exactly as they were (outputs are written atomically)
#   todo     a known bug (an entry of the hardening bug list): the case is
#            reported as TAP TODO until it passes, then it must lose the mark
#   mem      an address-space cap in bytes tighter than the suite's 1 GiB:
#            mem_cap(input_bytes) is "10 x the input plus a constant", the
#            promise for any single conversion
#   check    a function (d, proc) returning a list of problems, for what
#            the fields above cannot say
#   cpu      a CPU budget in seconds other than the default 10, with the
#            reason beside the case

CASES = []


def case(name, argv, rc, err=None, out=None, absent=(), present=(), big=False,
         maxout=None, todo=None, stdin=None, old=None, mem=None, check=None,
         cpu=None):
    def deco(fn):
        CASES.append(dict(name=name, gen=fn, argv=argv, rc=rc, err=err, out=out,
                          absent=list(absent), present=list(present), big=big,
                          maxout=maxout, todo=todo, stdin=stdin, old=old,
                          mem=mem, check=check, cpu=cpu))
        return fn
    return deco


# What any single conversion may use: ten times its input plus a constant
# (the executable, its libraries and plugins, libxml2's and cmark's tables:
# about 120 MiB of address space before the first byte is read).
MEM_CONSTANT = 192 << 20


def mem_cap(input_bytes):
    return 10 * input_bytes + MEM_CONSTANT


NOLEAK = (SECRET, PASSWD_MARK)

# -- entities in every XML the readers see --


@case("billion laughs in the xml format is refused before any expansion",
      ["laughs.xml", "-o", "out.html"], 1,
      r"galley: laughs\.xml: line 2: a DOCTYPE is not allowed in galley XML "
      r"\(entities are never expanded\)", out="out.html")
def _(d, ctx):
    write(d + "/laughs.xml", GALLEY_XML % (LAUGHS % "document", "&lol9;"))


@case("an external entity in the xml format is refused and never read",
      ["xxe.xml", "-o", "out.html"], 1,
      r"galley: xxe\.xml: line 2: a DOCTYPE is not allowed in galley XML "
      r"\(entities are never expanded\)", out="out.html", absent=NOLEAK)
def _(d, ctx):
    write(d + "/xxe.xml", GALLEY_XML % (xxe("document", ctx["secret"]), "&xxe;"))


@case("billion laughs in XHTML is not expanded",
      ["laughs.xhtml", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      absent=["lollollol"], maxout=4096)
def _(d, ctx):
    write(d + "/laughs.xhtml", '<?xml version="1.0"?>\n' + LAUGHS % "html" +
          '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol9;</p></body></html>')


@case("an external entity in XHTML is never read",
      ["xxe.xhtml", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      absent=NOLEAK)
def _(d, ctx):
    write(d + "/xxe.xhtml", '<?xml version="1.0"?>\n' + xxe("html", ctx["secret"]) +
          '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>a &xxe; b</p></body></html>')


@case("an external DTD and entity in XHTML are never fetched from the network",
      ["net.xhtml", "-t", "text", "-o", "out.txt"], 0, out="out.txt")
def _(d, ctx):
    write(d + "/net.xhtml", '<?xml version="1.0"?>\n' + xxe_net("html", ctx["port"]) +
          '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>a &net; b</p></body></html>')


@case("billion laughs in an EPUB chapter is not expanded",
      ["laughs.epub", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      absent=["lollollol"], maxout=4096)
def _(d, ctx):
    make_epub(d + "/laughs.epub",
              {"EPUB/ch.xhtml": chapter("<p>&lol9;</p>", LAUGHS % "html")})


@case("an external entity in an EPUB chapter is never read",
      ["xxe.epub", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      absent=NOLEAK)
def _(d, ctx):
    make_epub(d + "/xxe.epub",
              {"EPUB/ch.xhtml": chapter("<p>a &xxe; b</p>", xxe("html", ctx["secret"]))})


@case("billion laughs in an EPUB package document is refused unexpanded",
      ["laughs-opf.epub", "-t", "text", "-o", "out.txt"], 1,
      r"galley: laughs-opf\.epub: EPUB/package\.opf declares entities \(galley refuses entities in EPUB XML\)",
      out="out.txt", absent=["lollollol"])
def _(d, ctx):
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/laughs-opf.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              package=opf(items, ["c0"], title="&lol9;", prolog=LAUGHS % "package"))


@case("an external entity in an EPUB package document is never read",
      ["xxe-opf.epub", "-t", "text", "-o", "out.txt"], 1,
      r"galley: xxe-opf\.epub: EPUB/package\.opf declares entities \(galley refuses entities in EPUB XML\)",
      out="out.txt", absent=NOLEAK)
def _(d, ctx):
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/xxe-opf.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              package=opf(items, ["c0"], title="&xxe;",
                          prolog=xxe("package", ctx["secret"])))


@case("billion laughs in container.xml is refused unexpanded",
      ["laughs-container.epub", "-t", "text", "-o", "out.txt"], 1,
      r"galley: laughs-container\.epub: META-INF/container\.xml declares entities \(galley refuses entities in EPUB XML\)",
      out="out.txt", absent=["lollollol"])
def _(d, ctx):
    make_epub(d + "/laughs-container.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              container=CONTAINER.replace("<container", LAUGHS % "container" +
                                          "<container", 1).replace(
                  'version="1.0" xmlns', 'version="1.0" data-x="&lol9;" xmlns', 1))


@case("an external entity in container.xml is refused unread",
      ["xxe-container.epub", "-t", "text", "-o", "out.txt"], 1,
      r"galley: xxe-container\.epub: META-INF/container\.xml declares entities \(galley refuses entities in EPUB XML\)",
      out="out.txt", absent=NOLEAK)
def _(d, ctx):
    make_epub(d + "/xxe-container.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              container=CONTAINER.replace("<container", xxe("container", ctx["secret"]) +
                                          "<container", 1).replace(
                  "EPUB/package.opf", "&xxe;", 1))


@case("an external DTD in an EPUB package document is never fetched",
      ["net-opf.epub", "-t", "text", "-o", "out.txt"], 1,
      r"galley: net-opf\.epub: EPUB/package\.opf declares entities \(galley refuses entities in EPUB XML\)",
      out="out.txt")
def _(d, ctx):
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/net-opf.epub", {"EPUB/ch.xhtml": chapter("<p>&net;</p>",
                                                             xxe_net("html", ctx["port"]))},
              package=opf(items, ["c0"], title="&net;", prolog=xxe_net("package", ctx["port"])))

# -- nesting --


@case("100,000 nested HTML elements stop at the depth limit",
      ["deep.html", "-o", "out.md"], 1,
      r"galley: deep\.html: elements nest deeper than the depth limit of 512 \(line 1\)",
      out="out.md")
def _(d, ctx):
    write(d + "/deep.html", "<div>" * 100000 + "x" + "</div>" * 100000)


@case("100,000 nested xml-form elements stop at the depth limit",
      ["deep.xml", "-o", "out.md"], 1, r"galley: deep\.xml: line 2: elements nested deeper than the depth limit of 512",
      out="out.md")
def _(d, ctx):
    write(d + "/deep.xml", '<?xml version="1.0"?>\n<document xmlns="urn:galley:tree:1">' +
          "<block_quote>" * 100000 + "</block_quote>" * 100000 + "</document>\n")


@case("100,000 nested Markdown block quotes stop at the depth limit",
      ["deep.md", "-o", "out.html"], 1,
      r"galley: deep\.md: the Markdown nests deeper than the depth limit \(512\) at line 1",
      out="out.html")
def _(d, ctx):
    write(d + "/deep.md", "> " * 100000 + "x\n")


@case("100,000 nested Markdown lists stop at the depth limit",
      ["lists.md", "-o", "out.html"], 1,
      r"galley: lists\.md: the Markdown nests deeper than the depth limit \(512\) at line 1",
      out="out.html")
def _(d, ctx):
    write(d + "/lists.md", "- " * 100000 + "x\n")


@case("100,000 nested quotes in plain text stop at the depth limit",
      ["deep.txt", "-o", "out.html"], 1,
      r"galley: deep\.txt: nesting deeper than the limit of 512 levels \(max-depth\) at line 1",
      out="out.html")
def _(d, ctx):
    write(d + "/deep.txt", "> " * 100000 + "x\n")


@case("100,000 nested elements in an EPUB chapter stop at the depth limit",
      ["deep.epub", "-o", "out.html"], 1,
      r"galley: deep\.epub: elements nest deeper than the depth limit of 512 \(line 3\)",
      out="out.html")
def _(d, ctx):
    make_epub(d + "/deep.epub",
              {"EPUB/ch.xhtml": chapter("<div>" * 100000 + "x" + "</div>" * 100000)})


@case("-O max-depth=10 refuses 20 nested elements, naming the limit",
      ["d20.html", "-O", "max-depth=10", "-o", "out.md"], 1,
      r"galley: d20\.html: elements nest deeper than the depth limit of 10 \(line 1\)",
      out="out.md")
def _(d, ctx):
    write(d + "/d20.html", "<div>" * 20 + "x" + "</div>" * 20)


@case("-O max-depth=0 is a usage error", ["d20.html", "-O", "max-depth=0"], 2,
      r"galley: max-depth wants a positive number, got '0' \(see galley --help\)")
def _(d, ctx):
    write(d + "/d20.html", "<p>x</p>")

# -- size --


@case("a 200 MB line of plain text converts within the time and memory caps",
      ["line.txt", "-t", "html", "-o", "out.html"], 0, out="out.html", big=True)
def _(d, ctx):
    with open(d + "/line.txt", "wb") as f:
        chunk = b"abcdefghij" * (1 << 20)
        for _ in range(20):
            f.write(chunk)
        f.write(b"\n")


@case("a 200 MB line of Markdown converts within the time and memory caps",
      ["line.md", "-t", "html", "-o", "out.html"], 0, out="out.html", big=True)
def _(d, ctx):
    with open(d + "/line.md", "wb") as f:
        chunk = b"abcde fghi" * (1 << 20)
        for _ in range(20):
            f.write(chunk)
        f.write(b"\n")


@case("an input over --max-input-size is refused, naming the limit",
      ["big.txt", "--max-input-size", "1M", "-o", "out.html"], 1,
      r"galley: big\.txt: input is over the input size limit of 1048576 bytes \(--max-input-size\)",
      out="out.html")
def _(d, ctx):
    write(d + "/big.txt", "word " * 300000)

def html_line(d, ctx):
    with open(d + "/line.html", "wb") as f:
        f.write(b"<!doctype html><p>line-start ")
        chunk = b"abcde fghi" * (1 << 20)
        for _ in range(20):
            f.write(chunk)
        f.write(b" line-end</p>\n")


case("a 200 MB line of HTML converts to text within the time and memory caps",
     ["line.html", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
     present=["line-start", "line-end"], big=True)(html_line)
# The EPUB writer holds the text five times over by design (libxml2's page,
# the tree, the chapter's copy, its XHTML and the DOM it cleans) and
# deflates it: 8 to 11 CPU s on the two-core CI machine, most of it page
# faults. Linear, and so given 20 s; the other 200 MB cases keep 10.
case("a 200 MB line of HTML converts to EPUB within the time and memory caps",
     ["line.html", "-t", "epub", "-M", "language=en", "-o", "out.epub"], 0,
     out="out.epub", present=["line-start", "line-end"], big=True,
     cpu=20)(html_line)


@case("a 200 MB text literal in the xml format converts within the caps",
      ["line.xml", "-t", "html", "-o", "out.html"], 0, out="out.html",
      present=["line-start", "line-end"], big=True)
def _(d, ctx):
    with open(d + "/line.xml", "wb") as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<document xmlns='
                b'"urn:galley:tree:1"><paragraph><text>line-start ')
        chunk = b"abcde fghi" * (1 << 20)
        for _ in range(20):
            f.write(chunk)
        f.write(b" line-end</text></paragraph></document>\n")


@case("an EPUB chapter of one 200 MB paragraph converts within the caps",
      ["line.epub", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      present=["line-start", "line-end"], big=True)
def _(d, ctx):
    body = b"<p>line-start " + b"abcde fghi" * (20 << 20) + b" line-end</p>"
    make_epub(d + "/line.epub", {"EPUB/c1.xhtml": chapter("").replace(
        "<body></body>", "<body>%s</body>").encode() % body})


@case("standard input over --max-input-size is refused, naming the limit",
      ["-f", "text", "--max-input-size", "64K", "-", "-o", "out.html"], 1,
      r"galley: -: input is over the input size limit of 65536 bytes \(--max-input-size\)",
      out="out.html", stdin="big.txt")
def _(d, ctx):
    write(d + "/big.txt", "word " * 30000)


@case("a failed conversion leaves an existing output file as it was",
      ["deep.html", "-o", "out.html"], 1,
      r"galley: deep\.html: elements nest deeper than the depth limit of 512 \(line 1\)",
      out="out.html", old=b"OLD CONTENT\n")
def _(d, ctx):
    write(d + "/deep.html", "<div>" * 1000)


# -- every limit crossed through its option, with small inputs --


def _small_epub(path, n_images=0, image_bytes=0, chapter_bytes=0, extra_entries=0):
    files = {"EPUB/ch.xhtml": chapter("<p>" + "t" * chapter_bytes + "</p>" +
                                      "".join('<p><img src="i%d.png" alt="i"/></p>' % i
                                              for i in range(n_images)))}
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    for i in range(n_images):
        files["EPUB/i%d.png" % i] = png_bytes(bytes(max(0, image_bytes - 80)) + b"%d" % i)
        items.append(("i%d" % i, "i%d.png" % i, "image/png"))
    for i in range(extra_entries):
        files["EPUB/x%d.txt" % i] = b"x"
    make_epub(path, files, package=opf(items, ["c0"]))


@case("-O max-entries=5 refuses an EPUB of 13 entries, naming the limit",
      ["e.epub", "-O", "max-entries=5", "-o", "out.html"], 1,
      r"galley: e\.epub: the EPUB has 13 entries, over the entry limit of 5", out="out.html")
def _(d, ctx):
    _small_epub(d + "/e.epub", extra_entries=9)


@case("-O max-decompressed=64K refuses an EPUB that unpacks to more, naming the limit",
      ["e.epub", "-O", "max-decompressed=64K", "-o", "out.html"], 1,
      r"galley: e\.epub: the EPUB unpacks to more than the decompressed size limit of "
      r"65536 bytes", out="out.html")
def _(d, ctx):
    _small_epub(d + "/e.epub", chapter_bytes=100000)


@case("-O max-resource-bytes=2K refuses an EPUB whose images add up to more",
      ["e.epub", "-O", "max-resource-bytes=2K", "-o", "out.epub"], 1,
      r"galley: e\.epub: the EPUB's files add up to more than the resource limit of "
      r"2048 bytes", out="out.epub")
def _(d, ctx):
    _small_epub(d + "/e.epub", n_images=3, image_bytes=1000)


@case("-O max-image-size=500 refuses an EPUB image of 1,000 bytes",
      ["e.epub", "-O", "max-image-size=500", "-o", "out.epub"], 1,
      r"galley: e\.epub: entry EPUB/i0\.png unpacks to 1000 bytes, over the image size "
      r"limit of 500 bytes", out="out.epub")
def _(d, ctx):
    _small_epub(d + "/e.epub", n_images=1, image_bytes=1000)


@case("-O max-image-size=500 refuses a local image of 1,000 bytes for EPUB output",
      ["doc/page.html", "-O", "max-image-size=500", "-o", "out.epub"], 1,
      r"galley: doc/page\.html: image i\.png is over the image size limit of 500 bytes",
      out="out.epub")
def _(d, ctx):
    write(d + "/doc/i.png", png_bytes(bytes(920)))
    write(d + "/doc/page.html", '<h1>T</h1><p><img src="i.png" alt="i"></p>')


@case("-O max-resource-bytes=2K refuses local images that add up to more for EPUB output",
      ["doc/page.html", "-O", "max-resource-bytes=2K", "-o", "out.epub"], 1,
      r"galley: doc/page\.html: images add up to more than the resource limit of 2048 bytes",
      out="out.epub")
def _(d, ctx):
    for i in range(3):
        write(d + "/doc/i%d.png" % i, png_bytes(bytes(900) + b"%d" % i))
    write(d + "/doc/page.html", "<h1>T</h1>" + "".join(
        '<p><img src="i%d.png" alt="i"></p>' % i for i in range(3)))


@case("-O max-image-size=500 refuses an xml-form image of 1,000 bytes",
      ["r.xml", "-O", "max-image-size=500", "-o", "out.html"], 1,
      r'galley: r\.xml: line 4: image "r0\.bin" is 1002 bytes, over the image size limit '
      r"of 500 bytes", out="out.html")
def _(d, ctx):
    _xml_resource(d + "/r.xml", 1000)


@case("-O max-resource-bytes=2K refuses xml-form resources that add up to more",
      ["r.xml", "-O", "max-resource-bytes=2K", "-o", "out.html"], 1,
      r"galley: r\.xml: line 6: resources pass the resource limit of 2048 bytes per document",
      out="out.html")
def _(d, ctx):
    _xml_resource(d + "/r.xml", 1000, count=3, media="application/octet-stream")


@case("-O max-entries=0 is a usage error", ["x.html", "-O", "max-entries=0"], 2,
      r"galley: max-entries wants a positive number, got '0' \(see galley --help\)")
def _(d, ctx):
    write(d + "/x.html", "<p>x</p>")


@case("20 MB of tiny HTML elements is refused at the node limit before parsing",
      ["dense.html", "-o", "out.html"], 1,
      r"galley: dense\.html: the page has 5000002 tags, over the node limit "
      r"of 4000000 \(-O max-nodes\)",
      out="out.html", big=True)
def _(d, ctx):
    write(d + "/dense.html", "<p>" + "<b>x</b>" * 2500000 + "</p>")


@case("Markdown over -O max-nodes is refused, naming the limit",
      ["many.md", "-O", "max-nodes=1000", "-o", "out.html"], 1,
      r"galley: many\.md: the document has more than 1000 nodes, over the "
      r"node limit \(-O max-nodes\)",
      out="out.html")
def _(d, ctx):
    write(d + "/many.md", "- *x* y\n" * 2000)


@case("plain text over -O max-nodes is refused, naming the limit",
      ["many.txt", "-O", "max-nodes=1000", "-o", "out.html"], 1,
      r"galley: many\.txt: the document has more than 1000 nodes, over the "
      r"node limit \(-O max-nodes\)",
      out="out.html")
def _(d, ctx):
    write(d + "/many.txt", "a paragraph\n\n" * 2000)


# -- bytes that are not text --

BAD_UTF8 = {
    "invalid": b"caf\xe9 \xff\xfe ok",
    "overlong": b"a \xc0\xaf b \xe0\x80\xaf c \xf0\x80\x80\xaf d",
    "surrogate": b"a \xed\xa0\x80 b",
    "truncated": b"a \xe2\x82",
    "nul": b"a\x00b\x00\x00c",
}


# The exact outcome per format: plain text refuses what is not UTF-8 (it
# names the byte); Markdown reads through cmark, which puts U+FFFD in place
# of bad bytes and NULs, with a warning; HTML falls back to windows-1252 with a warning when
# declared UTF-8 is not; the xml format is strict XML and refuses.
TEXT_ERR = (r"galley: in\.txt: not valid UTF-8 at byte %d "
            r"\(for another encoding, give -O encoding=NAME\)")
MD_WARN = (r"galley: in\.md: warning: not valid UTF-8 at byte %d; such bytes read "
           r"as U\+FFFD")
HTML_WARN = r"galley: in\.%s: warning: declared UTF-8 but is not; read as windows-1252"
BYTES_OUTCOME = {
    ("txt", "invalid"): (1, TEXT_ERR % 10),
    ("txt", "overlong"): (1, TEXT_ERR % 9),
    ("txt", "surrogate"): (1, TEXT_ERR % 9),
    ("txt", "truncated"): (1, TEXT_ERR % 9),
    ("txt", "nul"): (1, r"galley: in\.txt: a NUL byte at byte 8: binary data, not text"),
    ("md", "invalid"): (0, MD_WARN % 8),
    ("md", "overlong"): (0, MD_WARN % 7),
    ("md", "surrogate"): (0, MD_WARN % 7),
    ("md", "truncated"): (0, MD_WARN % 7),
    ("md", "nul"): (0, r"galley: in\.md: warning: a NUL byte at byte 6; NUL bytes read as U\+FFFD"),
    ("html", "invalid"): (0, HTML_WARN % "html"),
    ("html", "overlong"): (0, HTML_WARN % "html"),
    ("html", "surrogate"): (0, HTML_WARN % "html"),
    ("html", "truncated"): (0, HTML_WARN % "html"),
    ("html", "nul"): (0, None),
    ("epub", "invalid"): (0, HTML_WARN % "epub"),
    ("epub", "overlong"): (0, HTML_WARN % "epub"),
    ("epub", "surrogate"): (0, HTML_WARN % "epub"),
    ("epub", "truncated"): (0, HTML_WARN % "epub"),
    ("epub", "nul"): (0, None),
    ("xml", "invalid"): (1, r"galley: in\.xml: line 2: Input is not proper UTF-8, "
                            r"indicate encoding ! Bytes: 0xE9 0x20 0xFF 0xFE"),
    ("xml", "overlong"): (1, r"galley: in\.xml: line 2: Input is not proper UTF-8, "
                             r"indicate encoding ! Bytes: 0xC0 0xAF 0x20 0x62"),
    ("xml", "surrogate"): (1, r"galley: in\.xml: line 2: Char 0xD800 out of allowed range"),
    ("xml", "truncated"): (1, r"galley: in\.xml: line 2: Input is not proper UTF-8, "
                              r"indicate encoding ! Bytes: 0xE2 0x82 0x3C 0x2F"),
    ("xml", "nul"): (1, r"galley: in\.xml: line 2: Char 0x0 out of allowed range"),
}


def bytes_case(fmt, ext, kind, wrap):
    rc, err = BYTES_OUTCOME[(ext, kind)]
    title = ("NUL bytes in %s" % fmt if kind == "nul" else "%s UTF-8 in %s" % (kind, fmt))
    if rc == 0:
        title += " are read" if kind == "nul" else " is read"
    else:
        title += " are refused" if kind == "nul" else " is refused"

    @case(title, ["in." + ext, "-t", "xml", "-o", "out.xml"], rc, err, out="out.xml")
    def _(d, ctx):
        if wrap is None:
            make_epub(d + "/in.epub", {"EPUB/ch.xhtml": chapter("<p>@</p>").encode()
                                       .replace(b"@", BAD_UTF8[kind])})
        else:
            write(d + "/in." + ext, wrap(BAD_UTF8[kind]))


for kind in BAD_UTF8:
    bytes_case("plain text", "txt", kind, lambda b: b"Title\n\n" + b + b"\n")
    bytes_case("Markdown", "md", kind, lambda b: b"# T\n\n" + b + b"\n")
    bytes_case("HTML", "html", kind,
               lambda b: b"<!doctype html><meta charset=utf-8><p>" + b + b"</p>")
    bytes_case("the xml format", "xml", kind,
               lambda b: (GALLEY_XML % ("", "@")).encode().replace(b"@", b))
    bytes_case("an EPUB chapter", "epub", kind, None)

# -- zip --


@case("a zip bomb (1.1 GiB of zeros in one entry) stops at the decompressed limit",
      ["bomb.epub", "-o", "out.html"], 1,
      r"galley: bomb\.epub: the EPUB unpacks to more than the decompressed "
      r"size limit of 1073741824 bytes", out="out.html", big=True)
def _(d, ctx):
    bomb_epub(d + "/bomb.epub", 1100)


@case("a zip entry that lies about its size is not trusted",
      ["liar.epub", "-o", "out.html"], 1,
      r"galley: liar\.epub: entry EPUB/ch\.xhtml holds more than its declared size",
      out="out.html")
def _(d, ctx):
    bomb_epub(d + "/liar.epub", 64, declared=200)


def _image_epub(path, n, mib):
    stream, crc = zeros_deflate(mib)
    items = [("c0", "ch.xhtml", "application/xhtml+xml")] + \
        [("i%d" % i, "b%d.png" % i, "image/png") for i in range(n)]
    body = "".join('<p><img src="b%d.png" alt="b"/></p>' % i for i in range(n))
    raw_zip(path, [stored("mimetype", "application/epub+zip"),
                   stored("META-INF/container.xml", CONTAINER),
                   stored("EPUB/package.opf", opf(items, ["c0"])),
                   stored("EPUB/ch.xhtml", chapter(body))] +
            [("EPUB/b%d.png" % i, 8, stream, crc, len(stream), mib << 20)
             for i in range(n)])


@case("an EPUB image over the image size limit is refused, naming the limit",
      ["bigimg.epub", "-o", "out.epub"], 1,
      r"galley: bigimg\.epub: entry EPUB/b0\.png unpacks to 68157440 bytes, "
      r"over the image size limit of 67108864 bytes", out="out.epub")
def _(d, ctx):
    _image_epub(d + "/bigimg.epub", 1, 65)


@case("EPUB images over the total resource limit are refused, naming the limit",
      ["manyimg.epub", "-o", "out.html"], 1,
      r"galley: manyimg\.epub: the EPUB's files add up to more than the resource "
      r"limit of 536870912 bytes", out="out.html", big=True)
def _(d, ctx):
    _image_epub(d + "/manyimg.epub", 10, 60)


def _xml_resource(path, n_bytes, count=1, media="image/png"):
    """A galley XML document holding `count` resources of n_bytes zeros, as
    base64 written in chunks."""
    b64len = (n_bytes + 2) // 3 * 4
    chunk = "A" * (1 << 20)
    with open(path, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<document xmlns="urn:galley:tree:1">\n<resources>\n')
        for i in range(count):
            f.write('<resource name="r%d.bin" media-type="%s" encoding="base64">'
                    % (i, media))
            left = b64len
            while left:
                k = min(left, len(chunk))
                f.write(chunk[:k])
                left -= k
            f.write("</resource>\n")
        f.write("</resources>\n<paragraph><text>x</text></paragraph>\n</document>\n")


@case("an xml-form image over the image size limit is refused, naming the limit",
      ["bigres.xml", "-o", "out.html"], 1,
      r'galley: bigres\.xml: line 4: image "r0\.bin" is 67108866 bytes, over the '
      r"image size limit of 67108864 bytes", out="out.html")
def _(d, ctx):
    _xml_resource(d + "/bigres.xml", (64 << 20) + 2)


@case("a zip with 100,000 entries stops at the entry limit",
      ["many.epub", "-o", "out.html"], 1,
      r"galley: many\.epub: the EPUB has 100004 entries, over the entry limit of 10000",
      out="out.html")
def _(d, ctx):
    files = {"EPUB/ch.xhtml": chapter("<p>x</p>")}
    for i in range(100000):
        files["EPUB/f/%d.txt" % i] = b""
    make_epub(d + "/many.epub", files)


@case("zip entry names that climb out of the folder never become paths on disk",
      ["trav.epub", "-o", "out/trav.epub"], 1,
      r"galley: trav\.epub: unsafe entry name '\.\./\.\./escape\.xhtml' "
      r"\(absolute, or with '\.\.'\): refused", out="out/trav.epub")
def _(d, ctx):
    os.makedirs(d + "/out", exist_ok=True)
    items = [("c0", "../../../escape.xhtml", "application/xhtml+xml"),
             ("c1", "/tmp-escape.xhtml", "application/xhtml+xml"),
             ("i0", "../../../escape.png", "image/png")]
    pkg = opf(items, ["c0", "c1"])
    with zipfile.ZipFile(d + "/trav.epub", "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("EPUB/package.opf", pkg)
        z.writestr("../../escape.xhtml",
                   chapter('<p>climbed <img src="../../../escape.png" alt="e"/></p>'))
        z.writestr("/tmp-escape.xhtml", chapter("<p>absolute</p>"))
        z.writestr("../../escape.png", png_bytes())

# -- truncated files of every format --


def truncated(name, ext, data, rc, err=None):
    title = "a truncated %s file %s" % (name, "is read as far as it goes" if rc == 0
                                          else "is refused with one clear line")

    @case(title,
          ["cut." + ext, "-t", "xml", "-o", "out.xml"], rc, err, out="out.xml")
    def _(d, ctx):
        write(d + "/cut." + ext, data(d))


def _cut_epub(d):
    make_epub(d + "/full.epub", {"EPUB/ch.xhtml": chapter("<p>" + "text " * 400 + "</p>")})
    data = open(d + "/full.epub", "rb").read()
    os.remove(d + "/full.epub")
    return data[: len(data) // 2]


truncated("HTML", "html", lambda d: "<html><body><p>a <b>bold <a href=\"x", 0)
truncated("Markdown", "md", lambda d: "# T\n\n[link](http://x\n\n```\ncode", 0)
truncated("plain text", "txt", lambda d: b"Title\n\nsome text \xe2\x82", 1,
          r"galley: cut\.txt: not valid UTF-8 at byte 17 "
          r"\(for another encoding, give -O encoding=NAME\)")
truncated("xml-form", "xml", lambda d: '<?xml version="1.0"?>\n<document xmlns='
          '"urn:galley:tree:1"><paragraph><text>a', 1,
          r"galley: cut\.xml: line 2: Premature end of data in tag text line 2")
truncated("EPUB", "epub", _cut_epub, 1, r"galley: cut\.epub: not an EPUB: not a zip archive")

# -- markdown pathological cases --


def md_case(what, text):
    @case("Markdown with %s converts in linear time" % what,
          ["p.md", "-o", "out.html"], 0, out="out.html")
    def _(d, ctx):
        write(d + "/p.md", text)


md_case("100,000 open brackets", "[" * 100000 + "\n")
md_case("100,000 bracket pairs nested", "[" * 50000 + "a" + "]" * 50000 + "\n")
md_case("nested link openers", "[a](" * 50000 + "\n")
md_case("100,000 alternating emphasis openers", "*a _" * 50000 + "\n")
md_case("emphasis runs that never close", "**a " * 100000 + "\n")
md_case("100,000 backtick runs of growing length",
        "".join("`" * (i % 300 + 1) + "a" for i in range(20000)) + "\n")
md_case("a table of 100 columns and 2,000 rows",
        "|" + "a|" * 100 + "\n|" + "-|" * 100 + "\n" + ("|" + "x|" * 100 + "\n") * 2000)

@case("20 MB of Markdown emphasis is refused at the parse memory limit",
      ["p.md", "-o", "out.html"], 1,
      r"galley: p\.md: the Markdown would need about 4291 MiB to parse, over the parse "
      r"memory limit of 281 MiB \(8 times its size plus 128 MiB; -O max-parse-memory\)",
      out="out.html")
def _(d, ctx):
    write(d + "/p.md", "*x* " * 5000000)


@case("5 million one-word list items are refused at the parse memory limit",
      ["p.md", "-o", "out.html"], 1,
      r"galley: p\.md: the Markdown would need about 4444 MiB to parse, over the parse "
      r"memory limit of 281 MiB \(8 times its size plus 128 MiB; -O max-parse-memory\)",
      out="out.html")
def _(d, ctx):
    write(d + "/p.md", "- x\n" * 5000000)


TABLE_WARN = (r"galley: p\.md: warning: tables too wide or too long for their size; "
              r"read as text")


@case("a 3,000-column Markdown table over 20,000 short lines is read as text",
      ["p.md", "-o", "out.html"], 0, TABLE_WARN, out="out.html")
def _(d, ctx):
    write(d + "/p.md", "|" + "a|" * 3000 + "\n|" + "-|" * 3000 + "\n" + "x\n" * 20000)


@case("a 50,000-column Markdown table is read as text",
      ["p.md", "-o", "out.html"], 0, TABLE_WARN, out="out.html")
def _(d, ctx):
    write(d + "/p.md", "|" + "a|" * 50000 + "\n|" + "-|" * 50000 + "\n" +
          ("|" + "x|" * 50000 + "\n") * 2)


# -- the resource sandbox --


def img_case(name, src_fn, fmt="html", to="epub", extra=(), rc=0, err=None,
             absent=NOLEAK, present=()):
    ext = {"html": "html", "markdown": "md"}[fmt]
    @case(name, ["doc/page." + ext] + list(extra) + ["-o", "out." + to], rc, err,
          out="out." + to, absent=absent, present=present)
    def _(d, ctx):
        os.makedirs(d + "/doc", exist_ok=True)
        src = src_fn(d, ctx)
        if fmt == "html":
            text = '<h1>T</h1><p>pic <img src="%s" alt="alt"></p>' % src
        else:
            text = "# T\n\npic ![alt](%s)\n" % src
        write(d + "/doc/page." + ext, text)


img_case("an image src of /etc/passwd is refused with a warning",
         lambda d, c: "/etc/passwd",
         err=r"galley: doc/page\.html: warning: image /etc/passwd is outside the input folder; not read")
img_case("an image src of ../../secret is refused with a warning",
         lambda d, c: "../../secret.png",
         err=r"galley: doc/page\.html: warning: image \.\./\.\./secret\.png is outside the input folder; not read")
img_case("a Markdown image of ../../secret is refused with a warning",
         lambda d, c: "../../secret.png", fmt="markdown",
         err=r"galley: doc/page\.md: warning: image \.\./\.\./secret\.png is outside the input folder; not read")
img_case("an absolute path to a secret image is refused",
         lambda d, c: c["secret"],
         err=r"galley: doc/page\.html: warning: image /.*/secret\.png is outside the input folder; not read")
img_case("a file: URL to a secret image is refused",
         lambda d, c: "file://" + c["secret"],
         err=r"galley: doc/page\.html: warning: image file:///.*/secret\.png: file: URLs are "
         r"not read; kept its alt text")
img_case("a ..-escape hidden in the middle of a path is refused",
         lambda d, c: "img/../../../secret.png",
         err=r"galley: doc/page\.html: warning: image img/\.\./\.\./\.\./secret\.png is outside the input folder; not read")
img_case("a percent-encoded ..-escape is refused",
         lambda d, c: "%2e%2e/%2e%2e/secret.png",
         err=r"galley: doc/page\.html: warning: image %2e%2e/%2e%2e/secret\.png is outside "
         r"the input folder; not read")


def _symlink(d, c):
    os.symlink(c["secret"], d + "/doc/link.png")
    return "link.png"


img_case("a symlink that leaves the input folder is refused", _symlink,
         err=r"galley: doc/page\.html: warning: image link\.png leaves the input folder; not read")


def _dirlink(d, c):
    os.symlink(os.path.dirname(c["secret"]), d + "/doc/up")
    return "up/secret.png"


img_case("a symlinked folder that leaves the input folder is refused", _dirlink,
         err=r"galley: doc/page\.html: warning: image up/secret\.png leaves the input folder; "
         r"not read")


def _net(d, c):
    return "http://127.0.0.1:%d/img.png" % c["port"]


img_case("an http image is never fetched", _net,
         err=r"galley: doc/page\.html: warning: remote image http://127\.0\.0\.1:\d+/img\.png "
         r"cannot be fetched; kept its alt text")


def _inside(d, c):
    write(d + "/doc/img/ok.png", png_bytes(b"INSIDE-MARK"))
    return "img/ok.png"


img_case("an image under the input folder is embedded", _inside, absent=NOLEAK,
         present=["INSIDE-MARK"])


def _respath(d, c):
    write(d + "/shared/pic.png", png_bytes(b"SHARED-MARK"))
    return "pic.png"


img_case("an image under --resource-path is embedded", _respath,
         extra=["--resource-path", "shared"], present=["SHARED-MARK"])


def _big(d, c):
    sparse_png(d + "/doc/big.png", (64 << 20) + 1)
    return "big.png"


img_case("an image over the image size limit is refused, naming the limit", _big, rc=1,
         err=r"galley: doc/page\.html: image big\.png is over the image size limit of "
         r"67108864 bytes")


@case("an EPUB manifest href of ../../x is skipped and nothing is written outside",
      ["res.epub", "-o", "out.epub"], 0,
      r"galley: res\.epub: warning: manifest item i0 has an unusable href; skipped",
      out="out.epub", absent=["PWN"])
def _(d, ctx):
    items = [("c0", "ch.xhtml", "application/xhtml+xml"),
             ("i0", "../../pwned.png", "image/png")]
    with zipfile.ZipFile(d + "/res.epub", "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("EPUB/package.opf", opf(items, ["c0"]))
        z.writestr("EPUB/ch.xhtml", chapter('<p><img src="../../pwned.png" alt="p"/></p>'))
        z.writestr("pwned.png", png_bytes(b"PWN"))


def write_case(c, root, ctx):
    d = os.path.join(root, slug(c["name"]))
    os.makedirs(d, exist_ok=True)
    c["gen"](d, ctx)
    return d


def slug(name):
    s = "".join(ch if ch.isalnum() else "-" for ch in name.lower())
    while "--" in s:
        s = s.replace("--", "-")
    return s.strip("-")[:60]


def make_root(root):
    """The run's root: the secret (a PNG holding SECRET) sits here, above
    every case folder."""
    os.makedirs(root, exist_ok=True)
    secret = os.path.join(root, "secret.png")
    write(secret, png_bytes(SECRET.encode()))
    write(os.path.join(root, "secret"), SECRET + "\n")
    return secret


def _load_case_modules():
    """Cases are also kept in tests/hostile/cases_*.py, one module a theme;
    each does `from gen import *` and declares its cases with @case."""
    import importlib
    sys.modules.setdefault("gen", sys.modules[__name__])
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    for f in sorted(os.listdir(here)):
        if f.startswith("cases_") and f.endswith(".py"):
            importlib.import_module(f[:-3])


_load_case_modules()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: gen.py OUT_DIR [CASE-SLUG...]")
    root = os.path.abspath(sys.argv[1])
    ctx = {"secret": make_root(root), "port": 9}
    want = set(sys.argv[2:])
    for c in CASES:
        if not want or slug(c["name"]) in want:
            print(write_case(c, root, ctx))
