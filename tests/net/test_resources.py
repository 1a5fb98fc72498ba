#!/usr/bin/env python3
"""Remote images of a document (core/libgalley/resources.c), end to end.

Pages whose images point at server.py on 127.0.0.1 are converted with
galley (one page also given as a URL of the server), and the output, the
one warning and the server's request log are checked: images embedded
(EPUB, and HTML with -O self-contained=true), 404 and slow images counted,
127.0.0.1 refused without the local network allowed (no connection in the
log) and fetched with it, each URL fetched once, types sniffed from bytes
(a PNG served as text/html is kept; a TIFF, and text served as image/png,
are not), what --strip removed never fetched, nothing at all offline,
the count and size limits, a page given as a URL, a digest.
epubcheck checks the book when it is installed.

    test_resources.py GALLEY SERVER_PY FIXTURES_DIR

TAP output. Exits 77 (skipped) without python3's server prerequisites.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

GALLEY, SERVER, FIXTURES = sys.argv[1:4]
EPUBCHECK_JAR = os.environ.get("EPUBCHECK_JAR",
                               "/usr/share/java/epubcheck.jar")

results = []


def tap(ok, name, detail=""):
    results.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), name))
    if not ok and detail:
        for line in str(detail).splitlines():
            print("# " + line)


class Server:
    def __init__(self, tmp):
        self.log = os.path.join(tmp, "server.log")
        open(self.log, "w").close()
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, FIXTURES, self.log],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def clear(self):
        open(self.log, "w").close()

    def lines(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def requests(self, path=None):
        return [l for l in self.lines() if l.startswith("REQ ") and
                (path is None or l.split()[1] == path)]

    def connections(self):
        return [l for l in self.lines() if l == "CONN"]

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def page(title, body):
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>%s</title></head>\n<body><article>\n<h1>%s</h1>\n%s\n"
            "</article></body></html>\n" % (title, title, body))


def convert(tmp, html, args=(), out_name="out.epub", src=None):
    """galley -v ARGS SRC -o OUT; SRC is a page written from `html`, or a
    URL."""
    if src is None:
        src = os.path.join(tmp, "page.html")
        with open(src, "w") as f:
            f.write(html)
    out = os.path.join(tmp, out_name)
    if os.path.exists(out):
        os.unlink(out)
    fmt = {"epub": "epub", "html": "html", "md": "markdown"}[
        out_name.rsplit(".", 1)[1]]
    p = subprocess.run([GALLEY, "-v", "-t", fmt] + list(args) +
                       [src, "-o", out],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stderr, out


def warnings(stderr):
    return [l for l in stderr.splitlines() if ": warning: " in l and
            "remote image" in l]


def chapter_text(epub):
    with zipfile.ZipFile(epub) as z:
        return "".join(z.read(n).decode() for n in sorted(z.namelist())
                       if re.match(r"EPUB/ch\d+\.xhtml$", n))


def images_in(epub):
    with zipfile.ZipFile(epub) as z:
        return sorted(n for n in z.namelist() if n.startswith("EPUB/images/"))


def epubcheck(path):
    """(ran, ok, report)"""
    if os.environ.get("GALLEY_SKIP_EPUBCHECK"):
        return False, True, "GALLEY_SKIP_EPUBCHECK is set"
    if not os.path.isfile(EPUBCHECK_JAR) or not shutil.which("java"):
        return False, True, "epubcheck not installed"
    p = subprocess.run(["java", "-jar", EPUBCHECK_JAR, path],
                       capture_output=True, text=True, timeout=300)
    report = p.stdout + p.stderr
    ok = p.returncode == 0 and re.search(
        r"Messages: 0 fatals / 0 errors / 0 warnings", report) is not None
    if not ok and "No errors or warnings detected" in report:
        ok = p.returncode == 0
    return True, ok, report


LOCAL = ["--allow-local-network"]


def main():
    tmp = tempfile.mkdtemp(prefix="galley-res-")
    srv = Server(tmp)
    try:
        run(tmp, srv)
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results))
    return 0 if all(results) else 1


def run(tmp, srv):
    u = srv.url
    body = (
        '<p>The pools at low tide. <img src="%s" alt="a starfish"></p>\n'
        '<p>Anemones close when touched. <img src="%s" alt="an anemone"></p>\n'
        '<p>The same starfish again: <img src="%s" alt="starfish again"></p>\n'
        '<p>A crab, gone: <img src="%s" alt="a missing crab"></p>\n'
        '<p>A slow gull: <img src="%s" alt="a slow gull"></p>\n'
        '<p>A diagram <img src="%s" alt="the tide diagram"></p>\n'
        '<p>A PNG its server calls HTML: <img src="%s" alt="mislabelled"></p>\n'
    ) % (u("/image/1.png"), u("/image/2.jpg"), u("/image/1.png"),
         u("/404"), u("/slow?s=5&i=3"), u("/image/4.svg"), u("/wrong-type"))
    html = page("Tide pools", body)

    # 1. Refused before any connection without the local network allowed.
    srv.clear()
    rc, err, out = convert(tmp, html)
    w = warnings(err)
    tap(rc == 0 and w == ["galley: %s: warning: 7 of 7 remote images could "
                          "not be fetched; kept their alt text"
                          % os.path.join(tmp, "page.html")],
        "127.0.0.1 images are refused without --allow-local-network; one "
        "warning counts them", err)
    tap(srv.connections() == [] and srv.requests() == [],
        "the refusal happens before any connection (the server saw none)",
        "\n".join(srv.lines()))
    tap("address 127.0.0.1 is loopback; refused" in err,
        "each refusal says why (info)", err)
    text = chapter_text(out) if rc == 0 else ""
    tap(rc == 0 and "<img" not in text and "a starfish" in text and
        "a missing crab" in text and images_in(out) == [],
        "refused images keep their alt text, nothing is embedded", text)

    # 2. Fetched with it: embedded, deduplicated, 404 and slow counted.
    srv.clear()
    rc, err, out = convert(tmp, html, LOCAL + ["-O", "fetch-timeout=1.5"])
    w = warnings(err)
    tap(rc == 0 and len(w) == 1 and
        w[0].endswith("warning: 2 of 7 remote images could not be fetched; "
                      "kept their alt text"),
        "a 404 and a slow image: the rest converts, one warning counts 2 of 7",
        err)
    tap("HTTP 404" in err and "timed out" in err,
        "the reasons are given as info lines", err)
    text = chapter_text(out) if rc == 0 else ""
    imgs = images_in(out) if rc == 0 else []
    tap(len(imgs) == 4 and sum(n.endswith(".png") for n in imgs) == 2 and
        sum(n.endswith(".jpg") for n in imgs) == 1 and
        sum(n.endswith(".svg") for n in imgs) == 1,
        "the book holds the PNG, the JPEG, the SVG and the PNG served as "
        "text/html (sniffed from its bytes)", imgs)
    tap(text.count("<img") == 5 and "a missing crab" in text and
        "a slow gull" in text and 'alt="a missing crab"' not in text,
        "5 images point into the book; the failed ones are their alt text",
        text)
    if rc == 0:
        with zipfile.ZipFile(out) as z:
            data = {n: z.read(n) for n in imgs}
    tap(rc == 0 and any(b"idx=1" in d for d in data.values()) and
        any(b"idx=99" in d for d in data.values()),
        "the embedded bytes are the server's images", imgs)
    tap(len(srv.requests("/image/1.png")) == 1,
        "the same URL twice is fetched once",
        "\n".join(srv.requests()))
    tap(len(srv.requests()) == 6,
        "six distinct URLs, six requests", "\n".join(srv.requests()))
    ran, ok, report = epubcheck(out)
    if ran:
        tap(ok, "epubcheck: 0 errors, 0 warnings on the book with fetched "
            "images", report[-3000:])
    else:
        print("ok %d - epubcheck # SKIP %s" % (len(results) + 1, report))
        results.append(True)

    # 3. Types: from bytes, and only what the output can hold.
    srv.clear()
    body = ('<p>Scan: <img src="%s" alt="a TIFF scan"></p>\n'
            '<p>Text called PNG: <img src="%s" alt="not a picture"></p>\n'
            '<p>Fine: <img src="%s" alt="a gif"></p>\n') % (
        u("/photo.tif"), u("/ctype?v=image/png"), u("/image/5.gif"))
    rc, err, out = convert(tmp, page("Types", body), LOCAL)
    w = warnings(err)
    tap(rc == 0 and len(w) == 1 and "2 of 3 remote images" in w[0] and
        images_in(out) == ["EPUB/images/img-001.gif"],
        "a TIFF and text served as image/png are refused for EPUB; the GIF "
        "is kept", err + str(images_in(out) if rc == 0 else ""))
    tap("image/tiff, which epub output cannot hold" in err and
        "not an image (its bytes match no image type; served as image/png)"
        in err, "the refusals say what the bytes were", err)

    # 4. --strip: what the transform removed is never fetched.
    srv.clear()
    paras = ["<p>Paragraph %d of the article, with enough words in it to "
             "read as prose about tide pools and the animals that live in "
             "them.</p>\n" % i for i in range(8)]
    body = ('<nav><a href="/">Home</a> <img src="%s" alt="site logo"></nav>\n'
            '%s<figure><img src="%s" alt="the kept photo"><figcaption>A pool '
            'at dawn.</figcaption></figure>\n%s'
            '<footer><img src="%s" alt="footer badge"> Copyright</footer>\n'
            ) % (u("/image/10.png"), "".join(paras[:4]), u("/image/11.png"),
                 "".join(paras[4:]), u("/image/12.png"))
    # Without the transform all three are fetched (the test can fail).
    rc, err, out = convert(tmp, page("Strip", body), LOCAL)
    tap(rc == 0 and len(srv.requests()) == 3 and len(images_in(out)) == 3,
        "without --strip the logo, the photo and the badge are fetched",
        err + "\n".join(srv.lines()))
    srv.clear()
    rc, err, out = convert(tmp, page("Strip", body),
                           LOCAL + ["--strip"])
    tap(rc == 0 and srv.requests("/image/10.png") == [] and
        srv.requests("/image/12.png") == [] and
        len(srv.requests("/image/11.png")) == 1 and
        len(images_in(out)) == 1 and warnings(err) == [],
        "images that --strip removed are not fetched; the kept one is "
        "embedded", err + "\n".join(srv.lines()))

    # 5. Offline: nothing at all, and the warning says so.
    srv.clear()
    rc, err, out = convert(tmp, html, LOCAL + ["--offline"])
    w = warnings(err)
    tap(rc == 0 and srv.lines() == [] and len(w) == 1 and
        w[0].endswith("warning: 7 remote images not fetched (offline); kept "
                      "their alt text"),
        "offline: no connection, one warning", err + "\n".join(srv.lines()))

    # 6. HTML: self-contained embeds as data: URIs; plain HTML and Markdown
    # link and fetch nothing.
    body = ('<p>One <img src="%s" alt="one"></p>\n<p>Two <img src="%s" '
            'alt="two"></p>\n<p>Gone <img src="%s" alt="gone"></p>\n') % (
        u("/image/20.png"), u("/image/21.jpg"), u("/404"))
    srv.clear()
    rc, err, out = convert(tmp, page("Self", body),
                           LOCAL + ["-O", "self-contained=true"], "out.html")
    doc = open(out).read() if rc == 0 else ""
    tap(rc == 0 and doc.count('src="data:image/png;base64,iVBORw0KGgo') == 1
        and doc.count('src="data:image/jpeg;base64,/9j/') == 1 and
        "gone" in doc and "/404" not in doc and
        len(warnings(err)) == 1 and "1 of 3 remote images" in err,
        "html -O self-contained=true: fetched images as data: URIs, the "
        "failed one as its alt text", err + doc[-2000:])
    for fmt, name in (("html", "out.html"), ("markdown", "out.md")):
        srv.clear()
        rc, err, out = convert(tmp, page("Plain", body), LOCAL, name)
        doc = open(out).read() if rc == 0 else ""
        tap(rc == 0 and srv.lines() == [] and u("/image/20.png") in doc and
            warnings(err) == [],
            "%s output links its images and fetches nothing" % fmt,
            err + "\n".join(srv.lines()))

    # 7. A page given as a URL: its relative images resolve against the
    # URL after redirects, and the book holds them.
    srv.clear()
    rc, err, out = convert(tmp, None, LOCAL, src=u("/gallery.html"))
    imgs = images_in(out) if rc == 0 else []
    tap(rc == 0 and len(srv.requests("/image/31.png")) == 1 and
        len(srv.requests("/image/32.jpg")) == 1 and
        len(srv.requests("/image/33.gif")) == 1 and len(imgs) == 3 and
        warnings(err) == [],
        "a page fetched from a URL: its relative, root-relative and dotted "
        "images are fetched and embedded", err + "\n".join(srv.lines()))
    ran, ok, report = epubcheck(out) if rc == 0 else (True, False, err)
    if ran:
        tap(ok, "epubcheck: 0 errors, 0 warnings on the page fetched from a "
            "URL", report[-3000:])
    else:
        print("ok %d - epubcheck of the fetched page # SKIP %s" %
              (len(results) + 1, report))
        results.append(True)

    # 8. The per-document count and size limits: a refused image is one
    # more that could not be fetched, and the rest converts.
    srv.clear()
    body = "".join('<p>Picture %d <img src="%s" alt="picture %d"></p>\n' %
                   (i, u("/image/%d.png" % (50 + i)), i) for i in range(3))
    rc, err, out = convert(tmp, page("Limits", body),
                           LOCAL + ["-O", "max-fetches=2"])
    w = warnings(err)
    tap(rc == 0 and len(w) == 1 and "1 of 3 remote images" in w[0] and
        "over the limit of 2 fetches per document (-O max-fetches)" in err and
        len(images_in(out)) == 2 and len(srv.requests()) == 2,
        "-O max-fetches=2: the third image is refused without a request",
        err + "\n".join(srv.lines()))
    srv.clear()
    rc, err, out = convert(tmp, page("Limits", body),
                           LOCAL + ["-O", "max-fetch-size=50"])
    w = warnings(err)
    tap(rc == 0 and len(w) == 1 and "3 of 3 remote images" in w[0] and
        "over the size limit of 50 bytes (-O max-fetch-size)" in err,
        "-O max-fetch-size=50: images over it are refused", err)
    srv.clear()
    rc, err, out = convert(tmp, page("Limits", body),
                           LOCAL + ["-O", "max-image-size=50"])
    w = warnings(err)
    tap(rc == 0 and len(w) == 1 and "3 of 3 remote images" in w[0] and
        "over the image size limit of 50 bytes (-O max-image-size)" in err,
        "-O max-image-size=50 applies to fetched images too", err)

    # 9. A digest: each article's images are fetched for it, and an image
    # two articles share is one file in the book.
    srv.clear()
    pages = []
    for n, own in (("a", 41), ("b", 42)):
        path = os.path.join(tmp, "art-%s.html" % n)
        with open(path, "w") as f:
            f.write(page("Article " + n, '<p>Shared <img src="%s" alt="shared">'
                         ' own <img src="%s" alt="own"> gone <img src="%s" '
                         'alt="gone %s"></p>' % (u("/image/40.png"),
                                                 u("/image/%d.png" % own),
                                                 u("/404"), n)))
        pages.append(path)
    out = os.path.join(tmp, "week.epub")
    p = subprocess.run([GALLEY, "-t", "epub", "--allow-local-network"] +
                       pages + ["-o", out], capture_output=True, text=True,
                       timeout=120)
    w = warnings(p.stderr)
    tap(p.returncode == 0 and len(images_in(out)) == 3 and len(w) == 2 and
        all(l.endswith("1 of 3 remote images could not be fetched; kept "
                       "their alt text") for l in w),
        "a digest of two articles: 3 distinct images in the book, one "
        "warning per article", p.stderr + str(images_in(out)
                                              if p.returncode == 0 else ""))


if __name__ == "__main__":
    sys.exit(main())
