"""Cases of issue 13's "reading outside what the user gave": a document may
never widen where its resources are read from."""

import os

from gen import *  # noqa: F401,F403
from gen import case, write, NOLEAK

BASE_DOC = """<?xml version="1.0" encoding="UTF-8"?>
<document xmlns="urn:galley:tree:1" base="%s"><heading level="1"><text>T</text></heading>
<paragraph><text>Body.</text><image url="%s"><text>alt</text></image></paragraph></document>
"""


@case("an xml document whose base is / cannot pull a file from there into an EPUB",
      ["doc/base-root.xml", "-o", "out.epub"], 0,
      r"galley: doc/base-root\.xml: warning: image .*secret\.png leaves the input folder; "
      r"not read", out="out.epub", absent=NOLEAK)
def _(d, ctx):
    write(d + "/doc/base-root.xml", BASE_DOC % ("/", ctx["secret"].lstrip("/")))


@case("an xml document whose base names a folder above it cannot read from there",
      ["doc/base-up.xml", "-o", "out.epub"], 0,
      r"galley: doc/base-up\.xml: warning: image secret\.png leaves the input folder; "
      r"not read", out="out.epub", absent=NOLEAK)
def _(d, ctx):
    write(d + "/doc/base-up.xml", BASE_DOC % (os.path.dirname(ctx["secret"]), "secret.png"))


@case("a digest of an xml document whose base is / cannot read from there",
      ["doc/ok.md", "doc/base-root.xml", "-o", "out.epub"], 0,
      out="out.epub", absent=NOLEAK)
def _(d, ctx):
    write(d + "/doc/ok.md", "# Fine\n\nA fine article.\n")
    write(d + "/doc/base-root.xml", BASE_DOC % ("/", ctx["secret"].lstrip("/")))


@case("an xml document's base still resolves images inside the input folder",
      ["doc/base-in.xml", "-o", "out.epub"], 0, out="out.epub",
      present=["INSIDE-BASE-MARK"])
def _(d, ctx):
    write(d + "/doc/img/pic.png", png_bytes(b"INSIDE-BASE-MARK"))  # noqa: F405
    write(d + "/doc/base-in.xml", BASE_DOC % (d + "/doc/img", "pic.png"))
