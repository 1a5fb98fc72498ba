#!/usr/bin/env python3
"""Hostile and broken EPUB files, made here (no binary blobs in the repo),
each run through `galley FILE.epub -t markdown`: every one must end with the
expected exit code and a message that names the problem, never a crash."""
import io
import os
import subprocess
import sys
import tempfile
import zipfile
import zlib

EXE = os.environ.get("GALLEY_EXE")
if not EXE:
    print("GALLEY_EXE is not set")
    sys.exit(1)

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OPS/book.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles></container>'
)


def opf(spine=("c1",), extra_items=""):
    items = "".join(
        f'<item id="{i}" href="{i}.xhtml" media-type="application/xhtml+xml"/>'
        for i in spine
    )
    refs = "".join(f'<itemref idref="{i}"/>' for i in spine)
    return (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
        'version="3.0" unique-identifier="u"><metadata '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="u">'
        "urn:x</dc:identifier><dc:title>T</dc:title><dc:language>en"
        "</dc:language></metadata><manifest>" + items + extra_items +
        "</manifest><spine>" + refs + "</spine></package>"
    )


CHAPTER = (
    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
    "<title>c</title></head><body><p>Chapter text.</p></body></html>"
)


def book(files, first_mimetype=True):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if first_mimetype:
            z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip",
                       compress_type=zipfile.ZIP_STORED)
        for name, data in files:
            info = name if isinstance(name, zipfile.ZipInfo) else \
                zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def good_files(**over):
    files = {
        "META-INF/container.xml": CONTAINER,
        "OPS/book.opf": opf(),
        "OPS/c1.xhtml": CHAPTER,
    }
    files.update(over)
    return [(k, v) for k, v in files.items() if v is not None]


def encrypted_entry():
    data = bytearray(book(good_files()))
    # Set the "encrypted" flag of c1.xhtml in both headers; no password can
    # open it, and the reader must say why rather than try.
    name = b"OPS/c1.xhtml"
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        pos = 0
        while True:
            pos = data.find(sig, pos)
            if pos < 0:
                break
            if data[pos + name_at:pos + name_at + len(name)] == name:
                data[pos + flag_at] |= 1
            pos += 4
    return bytes(data)


def patch_sizes(data, name, size=None, csize=None):
    """Rewrites the sizes that the local and central headers of entry
    `name` declare (the data stays as it is)."""
    data = bytearray(data)
    nm = name.encode()
    for sig, name_at, csize_at, size_at in ((b"PK\x03\x04", 30, 18, 22),
                                            (b"PK\x01\x02", 46, 20, 24)):
        pos = 0
        while True:
            pos = data.find(sig, pos)
            if pos < 0:
                break
            if data[pos + name_at:pos + name_at + len(nm)] == nm:
                if size is not None:
                    data[pos + size_at:pos + size_at + 4] = size.to_bytes(4, "little")
                if csize is not None:
                    data[pos + csize_at:pos + csize_at + 4] = csize.to_bytes(4, "little")
            pos += 4
    return bytes(data)


def bomb_declared():
    """An entry that says it unpacks to 4 GB: refused before any work."""
    return patch_sizes(book(good_files() + [("OPS/big.bin", bytes(4096))]),
                       "OPS/big.bin", size=0xFFFFFF00)


def bomb_lying():
    """An entry that says 1,000 bytes and inflates to 8 MB."""
    files = good_files(**{"OPS/book.opf": opf(spine=("c1", "c2"))})
    return patch_sizes(book(files + [("OPS/c2.xhtml", bytes(8 << 20))]),
                       "OPS/c2.xhtml", size=1000)


def many_entries(n):
    files = good_files() + [(f"OPS/f{i}.txt", "x") for i in range(n)]
    return book(files)


DRM_XML = (
    '<?xml version="1.0"?><encryption '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
    'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
    '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
    '<enc:CipherData><enc:CipherReference URI="OPS/c1.xhtml"/></enc:CipherData>'
    "</enc:EncryptedData></encryption>"
)
FONT_XML = DRM_XML.replace(
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    "http://www.idpf.org/2008/embedding").replace("OPS/c1.xhtml", "OPS/f.otf")

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY a "lollollollollol">' +
    "".join(f'<!ENTITY {chr(98 + i)} "' + ("&" + chr(97 + i) + ";") * 10 + '">'
            for i in range(9)) +
    ']><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
    '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&j;'
    '</dc:title></metadata><manifest><item id="c1" href="c1.xhtml" '
    'media-type="application/xhtml+xml"/></manifest><spine><itemref '
    'idref="c1"/></spine></package>'
)

# name, bytes, expected exit code, expected text in stderr
CASES = [
    ("not-a-zip", b"This is plain text, not an archive.\n" * 4, 1,
     "not an EPUB: not a zip archive"),
    ("truncated-zip", book(good_files())[:200], 1, "not"),
    ("no-container", book([("OPS/c1.xhtml", CHAPTER)]), 1,
     "no META-INF/container.xml"),
    ("container-without-rootfile",
     book(good_files(**{"META-INF/container.xml":
                        '<?xml version="1.0"?><container/>'})), 1,
     "container.xml names no package document"),
    ("container-not-xml",
     book(good_files(**{"META-INF/container.xml": "<container><rootfiles"})),
     1, "META-INF/container.xml is not well-formed XML"),
    ("missing-package", book(good_files(**{"OPS/book.opf": None})), 1,
     "package document OPS/book.opf is missing"),
    ("package-without-spine",
     book(good_files(**{"OPS/book.opf":
                        '<package xmlns="http://www.idpf.org/2007/opf">'
                        "<manifest/></package>"})), 1,
     "is not a package document"),
    ("missing-spine-file",
     book(good_files(**{"OPS/book.opf": opf(spine=("c1", "c2"))})), 0,
     "warning: spine file OPS/c2.xhtml is missing; skipped"),
    ("dotdot-entry", book(good_files() + [("../../evil.txt", "x")]), 1,
     "unsafe entry name '../../evil.txt'"),
    ("absolute-entry", book(good_files() + [("/etc/evil.txt", "x")]), 1,
     "unsafe entry name '/etc/evil.txt'"),
    ("escaping-href",
     book(good_files(**{"OPS/book.opf": opf(extra_items=
         '<item id="x" href="../../../etc/passwd" media-type="image/png"/>')})),
     0, "warning: manifest item x has an unusable href"),
    ("encrypted-entry", encrypted_entry(), 1,
     "is encrypted: this EPUB is protected by DRM"),
    ("drm-encryption-xml",
     book(good_files(**{"META-INF/encryption.xml": DRM_XML})), 1,
     "OPS/c1.xhtml is encrypted: this EPUB is protected by DRM"),
    ("obfuscated-font-is-fine",
     book(good_files(**{"META-INF/encryption.xml": FONT_XML,
                        "OPS/f.otf": "scrambled"})), 0, ""),
    ("zip-bomb-declared", bomb_declared(), 1,
     "unpacks to more than the decompressed size limit of 1073741824"),
    ("zip-bomb-lying", bomb_lying(), 1,
     "c2.xhtml (holds more than its declared size|is damaged)"),
    # Entity expansion in the package: refused by libxml2, or read without
    # expanding; either way quickly and without a crash.
    ("billion-laughs", book(good_files(**{"OPS/book.opf": LAUGHS})), None, ""),
    ("too-many-entries", many_entries(10001), 1,
     "entries, over the entry limit of 10000"),
]


def main():
    import re
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, want_rc, want_msg in CASES:
            path = os.path.join(tmp, name + ".epub")
            with open(path, "wb") as f:
                f.write(data)
            try:
                p = subprocess.run([EXE, path, "-t", "text"],
                                   capture_output=True, timeout=60)
            except subprocess.TimeoutExpired:
                print(f"FAIL {name}: timed out")
                failed += 1
                continue
            err = p.stderr.decode("utf-8", "replace")
            ok = (want_rc is None or p.returncode == want_rc) and (
                not want_msg or re.search(want_msg, err))
            crash = p.returncode < 0 or "AddressSanitizer" in err or \
                "runtime error" in err
            if crash or not ok:
                failed += 1
                print(f"FAIL {name}: exit {p.returncode} (want {want_rc})")
                print("  stderr: " + err.strip()[:500])
                print(f"  wanted: {want_msg}")
            else:
                print(f"ok   {name}: exit {p.returncode}: "
                      f"{err.strip().splitlines()[-1] if err.strip() else ''}")
    print(f"{len(CASES) - failed} of {len(CASES)} hostile cases as expected")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
