"""Hostile cases of the epub format (issue 13, items 8 and 9): entities that
expand linearly in the XML files of a book (the package document, the nav,
the NCX, container.xml, encryption.xml, a chapter), and ids repeated tens of
thousands of times. Every case runs under mem_cap (ten times its input plus
a constant) and the suite's 10 s."""

import os

from gen import *  # noqa: F401,F403

# One internal entity of 100 KB: used 10,000 times it is a gigabyte of text,
# from a file of a few kilobytes once zipped.
BIG = "x" * 100000
BIG_DTD = '<!DOCTYPE %s [<!ENTITY big "' + BIG + '">]>\n'
EXPANDED = [BIG[:1000]]


# The zipped inputs below are a few kilobytes (the cap is declared before
# the case is written): each gets the cap of a 64 KiB input.
SMALL = mem_cap(64 << 10)


def _package(items, spine, title="Entities", toc=None):
    """A package document with `properties` on items (id, href, type, props)."""
    rows = []
    for i in items:
        props = ' properties="%s"' % i[3] if len(i) > 3 and i[3] else ""
        rows.append('    <item id="%s" href="%s" media-type="%s"%s/>'
                    % (i[0], i[1], i[2], props))
    refs = "\n".join('    <itemref idref="%s"/>' % s for s in spine)
    return """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:00000000-0000-4000-8000-000000000000</dc:identifier>
    <dc:title>%s</dc:title>
    <dc:language>en</dc:language>
  </metadata>
  <manifest>
%s
  </manifest>
  <spine%s>
%s
  </spine>
</package>
""" % (title, "\n".join(rows), ' toc="%s"' % toc if toc else "", refs)


def _check_small(limit):
    def check(d, p):
        big = [f for f in os.listdir(d) if os.path.getsize(os.path.join(d, f)) > limit]
        return ["%s is %d bytes: something was expanded"
                % (f, os.path.getsize(os.path.join(d, f))) for f in big]
    return check


# -- entities in the package files: refused, one line naming the file --

ENT_ERR = r"galley: %s: %s declares entities \(galley refuses entities in EPUB XML\)"


@case("an EPUB package document with a 100 KB entity used 10,000 times in its "
      "title is refused, to text",
      ["opf-ent.epub", "-t", "text", "-o", "out.txt"], 1,
      ENT_ERR % (r"opf-ent\.epub", r"EPUB/package\.opf"), out="out.txt",
      absent=EXPANDED, mem=SMALL, check=_check_small(1 << 20))
def _(d, ctx):
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/opf-ent.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              package=opf(items, ["c0"], title="&big;" * 10000,
                          prolog=BIG_DTD % "package"))


@case("an EPUB package document with a 100 KB entity used 10,000 times in its "
      "title is refused, to epub",
      ["opf-ent.epub", "-o", "out.epub"], 1,
      ENT_ERR % (r"opf-ent\.epub", r"EPUB/package\.opf"), out="out.epub",
      absent=EXPANDED, mem=SMALL, check=_check_small(1 << 20))
def _(d, ctx):
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/opf-ent.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              package=opf(items, ["c0"], title="&big;" * 10000,
                          prolog=BIG_DTD % "package"))


@case("an entity in an EPUB package document's attribute is refused",
      ["opf-attr.epub", "-t", "text", "-o", "out.txt"], 1,
      ENT_ERR % (r"opf-attr\.epub", r"EPUB/package\.opf"), out="out.txt",
      absent=EXPANDED, mem=SMALL)
def _(d, ctx):
    items = [("c0", "ch.xhtml\" data-x=\"" + "&big;" * 10000,
              "application/xhtml+xml")]
    make_epub(d + "/opf-attr.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              package=opf(items, ["c0"], prolog=BIG_DTD % "package"))


def _nav(body, prolog):
    return """<?xml version="1.0" encoding="UTF-8"?>
%s<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>nav</title></head><body>
<nav epub:type="toc"><ol>%s</ol></nav>
</body></html>
""" % (prolog, body)


@case("an EPUB nav document with 3,000 references to a 100 KB entity is "
      "refused",
      ["nav-ent.epub", "-t", "text", "-o", "out.txt"], 1,
      ENT_ERR % (r"nav-ent\.epub", r"EPUB/nav\.xhtml"), out="out.txt",
      absent=EXPANDED, mem=SMALL, check=_check_small(1 << 20))
def _(d, ctx):
    items = [("nav", "nav.xhtml", "application/xhtml+xml", "nav"),
             ("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/nav-ent.epub",
              {"EPUB/ch.xhtml": chapter("<p>no heading here</p>"),
               "EPUB/nav.xhtml": _nav('<li><a href="ch.xhtml">%s</a></li>'
                                      % ("&big;" * 3000), BIG_DTD % "html")},
              package=_package(items, ["c0"]))


@case("an EPUB nav document with 3,000 references to a 100 KB entity is "
      "refused, to epub",
      ["nav-ent.epub", "-o", "out.epub"], 1,
      ENT_ERR % (r"nav-ent\.epub", r"EPUB/nav\.xhtml"), out="out.epub",
      absent=EXPANDED, mem=SMALL, check=_check_small(1 << 20))
def _(d, ctx):
    items = [("nav", "nav.xhtml", "application/xhtml+xml", "nav"),
             ("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/nav-ent.epub",
              {"EPUB/ch.xhtml": chapter("<p>no heading here</p>"),
               "EPUB/nav.xhtml": _nav('<li><a href="ch.xhtml">%s</a></li>'
                                      % ("&big;" * 3000), BIG_DTD % "html")},
              package=_package(items, ["c0"]))


NCX = """<?xml version="1.0" encoding="UTF-8"?>
%s<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head/><docTitle><text>t</text></docTitle>
<navMap><navPoint id="p1" playOrder="1"><navLabel><text>%s</text></navLabel>
<content src="ch.xhtml"/></navPoint></navMap>
</ncx>
"""


@case("an EPUB 2 NCX with 10,000 references to a 100 KB entity is refused",
      ["ncx-ent.epub", "-t", "text", "-o", "out.txt"], 1,
      ENT_ERR % (r"ncx-ent\.epub", r"EPUB/toc\.ncx"), out="out.txt",
      absent=EXPANDED, mem=SMALL, check=_check_small(1 << 20))
def _(d, ctx):
    items = [("ncx", "toc.ncx", "application/x-dtbncx+xml"),
             ("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/ncx-ent.epub",
              {"EPUB/ch.xhtml": chapter("<p>no heading here</p>"),
               "EPUB/toc.ncx": NCX % (BIG_DTD % "ncx", "&big;" * 10000)},
              package=_package(items, ["c0"], toc="ncx"))


@case("container.xml with 10,000 references to a 100 KB entity is refused",
      ["container-ent.epub", "-t", "text", "-o", "out.txt"], 1,
      ENT_ERR % (r"container-ent\.epub", r"META-INF/container\.xml"),
      out="out.txt", absent=EXPANDED, mem=SMALL)
def _(d, ctx):
    make_epub(d + "/container-ent.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              container=CONTAINER.replace(
                  "<container", BIG_DTD % "container" + "<container", 1).replace(
                  'full-path="EPUB/', 'full-path="EPUB/' + "&big;" * 10000, 1))


@case("encryption.xml with 10,000 references to a 100 KB entity is refused",
      ["encryption-ent.epub", "-t", "text", "-o", "out.txt"], 1,
      ENT_ERR % (r"encryption-ent\.epub", r"META-INF/encryption\.xml"),
      out="out.txt", absent=EXPANDED, mem=SMALL)
def _(d, ctx):
    enc = """<?xml version="1.0" encoding="UTF-8"?>
%s<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
  xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
<enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
<enc:CipherData><enc:CipherReference URI="EPUB/%s"/></enc:CipherData>
</enc:EncryptedData></encryption>
""" % (BIG_DTD % "encryption", "&big;" * 10000)
    make_epub(d + "/encryption-ent.epub",
              {"EPUB/ch.xhtml": chapter("<p>text</p>"),
               "META-INF/encryption.xml": enc})


@case("an entity declared but never used in a package document is refused "
      "all the same",
      ["opf-unused.epub", "-t", "text", "-o", "out.txt"], 1,
      ENT_ERR % (r"opf-unused\.epub", r"EPUB/package\.opf"), out="out.txt",
      mem=SMALL)
def _(d, ctx):
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/opf-unused.epub", {"EPUB/ch.xhtml": chapter("<p>text</p>")},
              package=opf(items, ["c0"],
                          prolog='<!DOCTYPE package [<!ENTITY e "x">]>\n'))


@case("a package document with an external DTD and no entities is read",
      ["opf-dtd.epub", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      present=["plain text"], mem=SMALL)
def _(d, ctx):
    items = [("c0", "ch.xhtml", "application/xhtml+xml")]
    make_epub(d + "/opf-dtd.epub", {"EPUB/ch.xhtml": chapter("<p>plain text</p>")},
              package=opf(items, ["c0"], prolog=(
                  '<!DOCTYPE package PUBLIC "+//ISBN 0-9673008-1-9//DTD OEB 1.0.1 '
                  'Package//EN" "http://openebook.org/dtds/oeb-1.0.1/oebpkg101.dtd">\n')))


# -- entities in a chapter: the html reader skips the internal subset --


@case("an EPUB chapter with a 100 KB entity used 10,000 times is not expanded",
      ["ch-ent.epub", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      absent=EXPANDED, maxout=64 << 10, mem=SMALL)
def _(d, ctx):
    make_epub(d + "/ch-ent.epub",
              {"EPUB/ch.xhtml": chapter("<h1>&big;</h1><p>%s</p>" % ("&big;" * 10000),
                                        BIG_DTD % "html")})


@case("an EPUB chapter with a 100 KB entity used 10,000 times is not expanded, "
      "to epub",
      ["ch-ent.epub", "-o", "out.epub"], 0, out="out.epub",
      absent=EXPANDED, maxout=256 << 10, mem=SMALL)
def _(d, ctx):
    make_epub(d + "/ch-ent.epub",
              {"EPUB/ch.xhtml": chapter("<h1>&big;</h1><p>%s</p>" % ("&big;" * 10000),
                                        BIG_DTD % "html")})


# -- ids repeated: each de-duplicated in constant time --

IDS = 20000


@case("20,000 paragraphs with the same id convert from HTML to EPUB in "
      "well under the time limit",
      ["ids.html", "-o", "out.epub"], 0, out="out.epub",
      present=['id="x-%d"' % IDS], mem=mem_cap(16 * IDS + 100))
def _(d, ctx):
    write(d + "/ids.html", "<html><head><title>ids</title></head><body>" +
          '<p id="x">a</p>' * IDS + "</body></html>")


@case("an EPUB chapter with 20,000 paragraphs of the same id reads in well "
      "under the time limit",
      ["ids.epub", "-t", "xml", "-o", "out.xml"], 0, out="out.xml",
      present=['id="x-%d"' % IDS], mem=SMALL)
def _(d, ctx):
    make_epub(d + "/ids.epub", {"EPUB/ch.xhtml": chapter('<p id="x">a</p>' * IDS)})


@case("an EPUB chapter with 20,000 paragraphs of the same id converts to text "
      "in well under the time limit",
      ["ids.epub", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      mem=SMALL)
def _(d, ctx):
    make_epub(d + "/ids.epub", {"EPUB/ch.xhtml": chapter('<p id="x">a</p>' * IDS)})


@case("an EPUB chapter with 20,000 paragraphs of the same id converts to EPUB "
      "in well under the time limit",
      ["ids.epub", "-o", "out.epub"], 0, out="out.epub",
      present=['id="x-%d"' % IDS], mem=SMALL)
def _(d, ctx):
    make_epub(d + "/ids.epub", {"EPUB/ch.xhtml": chapter('<p id="x">a</p>' * IDS)})


@case("20,000 ids that collide with the suffixes de-duplication would pick "
      "are renamed in well under the time limit",
      ["ids2.html", "-o", "out.epub"], 0, out="out.epub",
      present=['id="x-%d"' % (2 * IDS)], mem=mem_cap(40 * IDS + 100))
def _(d, ctx):
    # x-2 … x-20001 taken first, then 20,000 x: each must skip all of them.
    write(d + "/ids2.html", "<html><head><title>ids</title></head><body>" +
          "".join('<p id="x-%d">a</p>' % k for k in range(2, IDS + 2)) +
          '<p id="x">a</p>' * IDS + "</body></html>")


# -- other names looked up among many --


@case("a spine of 80,000 itemrefs over 80,000 manifest items is read in well "
      "under the time limit",
      ["spine.epub", "-t", "text", "-o", "out.txt"], 0, out="out.txt",
      present=["one chapter"], mem=mem_cap(256 << 10))
def _(d, ctx):
    # Every itemref names the last item: a linear search by id costs
    # 80,000 comparisons each (18 s in all before the manifest was a map).
    n = 80000
    items = "".join('<item id="c%d" href="a" media-type="application/xhtml+xml"/>'
                    % i for i in range(n))
    refs = '<itemref idref="c%d"/>' % (n - 1) * n
    package = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
               'version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
               '<dc:title>t</dc:title></metadata><manifest>%s</manifest>'
               '<spine>%s</spine></package>' % (items, refs))
    make_epub(d + "/spine.epub", {"EPUB/a": chapter("<p>one chapter</p>")},
              package=package)


@case("50,000 headings in one chapter file get their NCX in well under the "
      "time limit",
      ["heads.html", "-O", "chapter-level=0", "-o", "out.epub"], 0,
      out="out.epub", present=['playOrder="50000"'], mem=mem_cap(11 << 20))
def _(d, ctx):
    # Each NCX entry looked for an earlier one with its href: 50,000
    # distinct targets that share their first 200 bytes were 1.25 billion
    # long comparisons (17 s). The page is 11 MB.
    prefix = "a" * 200
    write(d + "/heads.html", "<html><head><title>t</title></head><body>" +
          "".join('<h2 id="%s%d">H</h2>' % (prefix, i) for i in range(50000)) +
          "</body></html>")
