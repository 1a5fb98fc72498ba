#!/usr/bin/env python3
"""The real pages of ../shared/corpora (aeb/ and readability/) to EPUB with
their remote images fetched from a local stand-in, and where every <img>
ends up.

    tests/net/corpus_images.py BUILD_DIR [--strip] [--offline] [--corpora DIR]
                               [-j N] [-v]

The pages' own image hosts are not reachable here, so a forward proxy on
127.0.0.1 stands in for all of them: it answers any http URL with an image
made for it (a PNG, or a JPEG, GIF or SVG when the path ends so; bytes
differ per URL), and the conversion runs with http_proxy pointing at it
(galley's fetcher reads the variable; a proxy on 127.0.0.1 is the user's
own setting and is never refused). An https URL cannot go through a
plain-text proxy without a certificate the machine trusts, so each page is
copied to a scratch folder with https:// turned into http:// inside its
<img> and <source> tags (nothing else of the page changes). Nothing
connects anywhere but 127.0.0.1.

For each page it counts:
  source    <img> tags in the page
  kept      IMAGE nodes in the tree after the reader (and --strip): the
            xml form of the same conversion without fetching
  no src    kept images without any URL (lazy-loading markup the reader
            does not resolve): nothing to fetch; the writer drops them
  embedded  <img> elements in the book's chapters
  counted   images in the "N of M remote images could not be fetched"
            warning
  warned    other images the EPUB writer named in a warning (local files
            not found or outside the input folder, undecodable data: URIs,
            unsupported types)
  lost      kept - no src - embedded - counted - warned: must be 0

Exits 1 when any image is lost, 77 when the corpora are absent. Not part
of meson test (minutes); the README's figure comes from it.
"""
import argparse
import concurrent.futures
import glob
import hashlib
import html as htmlmod
import http.server
import os
import re
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import server as images  # noqa: E402  (the test server's image makers)


class Proxy(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_CONNECT(self):
        # A tunnel would need TLS for hosts this proxy cannot be: refused,
        # so that nothing is resolved or reached past it.
        with self.server.lock:
            self.server.tunnels += 1
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        with self.server.lock:
            self.server.requests += 1
        n = int(hashlib.sha256(self.path.encode()).hexdigest()[:6], 16)
        path = self.path.split("?")[0].lower()
        if path.endswith((".jpg", ".jpeg")):
            body, ctype = images.jpeg(n), "image/jpeg"
        elif path.endswith(".gif"):
            body, ctype = images.gif(n), "image/gif"
        elif path.endswith(".svg"):
            body, ctype = images.svg(n), "image/svg+xml"
        else:
            body, ctype = images.png(n), "image/png"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


IMG_TAG = re.compile(r"<(?:img|source)\b[^>]*>", re.I)
COUNTED = re.compile(r"warning: (?:(\d+) of (\d+) remote images? could not "
                     r"be fetched|(\d+)() remote images? not fetched "
                     r"\(offline\))")
WRITER_IMAGE_WARNING = re.compile(
    r"warning: (?:image (.+?)(?: not found| is outside the input folder| "
    r"leaves the input folder| is not a local file|: file: URLs|: local "
    r"files)|"
    r"image (.{1,80}?) is not PNG|resource (.+?) is not an image|"
    r"(a data: image cannot be decoded))")


def http_only(html):
    """https:// and protocol-relative //host in <img> and <source> tags
    become http:// so that the stand-in proxy can answer them."""
    def fix(m):
        tag = m.group(0).replace("https://", "http://")
        return re.sub(r"([\"'\s,=])//(?=[A-Za-z0-9])", r"\1http://", tag)
    return IMG_TAG.sub(fix, html)


def run(exe, args, env):
    return subprocess.run([exe] + args, capture_output=True, text=True,
                          env=env, timeout=600)


def one(page, opts):
    name = page["name"]
    work = tempfile.mkdtemp(prefix="img-", dir=opts.tmp)
    try:
        with open(page["path"], encoding="utf-8", errors="replace") as f:
            html = f.read()
        src = os.path.join(work, "page.html")
        with open(src, "w", encoding="utf-8") as f:
            f.write(http_only(html))
        extra = ["--strip"] if opts.strip else []
        r = {"name": name, "source": len(re.findall(r"<img\b", html, re.I))}
        x = run(opts.exe, ["-t", "xml", "--offline"] + extra +
                [src, "-o", os.path.join(work, "tree.xml")], opts.env)
        if x.returncode != 0:
            r["error"] = "xml: " + x.stderr.strip()
            return r
        with open(os.path.join(work, "tree.xml"), encoding="utf-8") as f:
            tree = f.read()
        urls = []
        for tag in re.findall(r"<image\b[^>]*>", tree):
            m = re.search(r'\burl="([^"]*)"', tag)
            urls.append(m.group(1) if m else "")
        r["kept"] = len(urls)
        # An <img> without any src (a lazy-loading pattern the reader does
        # not resolve) has nothing to fetch or embed; the writer drops it.
        r["nosrc"] = sum(1 for u in urls if not u.strip())
        e = run(opts.exe, ["-t", "epub"] + extra +
                (["--offline"] if opts.offline else []) +
                [src, "-o", os.path.join(work, "book.epub")], opts.env)
        if e.returncode != 0:
            r["error"] = "epub: " + e.stderr.strip()
            return r
        with zipfile.ZipFile(os.path.join(work, "book.epub")) as z:
            text = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                           if re.match(r"EPUB/ch\d+\.xhtml$", n))
        r["embedded"] = len(re.findall(r"<img\b", text))
        m = COUNTED.search(e.stderr)
        r["counted"] = int(m.group(1) or m.group(3)) if m else 0
        # The writer names a failing image once (it remembers each src):
        # count every kept image whose src a warning names.
        named, anon = set(), 0
        for w in WRITER_IMAGE_WARNING.finditer(e.stderr):
            if w.group(4):
                anon += 1
            else:
                named.add(next(g for g in w.groups()[:3] if g))
        warned = 0
        named = {urllib.parse.unquote(n) for n in named}
        for u in urls:
            u = urllib.parse.unquote(htmlmod.unescape(u))
            if u in named or (len(u) > 80 and u[:80] in named):
                warned += 1
        # "a data: image cannot be decoded" names no image.
        warned += min(anon, sum(1 for u in urls if u.startswith("data:")))
        r["warned"] = warned
        r["lost"] = (r["kept"] - r["nosrc"] - r["embedded"] - r["counted"] -
                     warned)
        r["stderr"] = e.stderr
        return r
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--strip", action="store_true")
    ap.add_argument("--offline", action="store_true",
                    help="fetch nothing (the figure before this change)")
    ap.add_argument("--corpora",
                    default=os.environ.get("GALLEY_CORPORA") or
                    os.path.join(HERE, "..", "..", "..", "shared", "corpora"))
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("-v", action="store_true")
    opts = ap.parse_args()
    opts.exe = os.path.join(opts.build, "galley")
    pages = [{"name": "aeb/" + os.path.basename(p), "path": p}
             for p in sorted(glob.glob(os.path.join(opts.corpora, "aeb",
                                                    "html", "*.html")))]
    pages += [{"name": "readability/" + os.path.basename(os.path.dirname(p)),
               "path": p}
              for p in sorted(glob.glob(os.path.join(
                  opts.corpora, "readability", "*", "source.html")))]
    if not pages:
        print("no corpora at %s; skipping" % opts.corpora)
        return 77
    proxy = Proxy(("127.0.0.1", 0), Handler)
    proxy.lock = threading.Lock()
    proxy.requests = 0
    proxy.tunnels = 0
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    env = dict(os.environ)
    for k in ("HTTPS_PROXY", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        env.pop(k, None)
    # Every scheme through the stand-in: nothing is resolved here.
    for k in ("http_proxy", "https_proxy", "all_proxy"):
        env[k] = "http://127.0.0.1:%d" % proxy.server_address[1]
    opts.env = env
    opts.tmp = tempfile.mkdtemp(prefix="galley-corpus-images-")
    try:
        with concurrent.futures.ThreadPoolExecutor(opts.j) as pool:
            results = list(pool.map(lambda p: one(p, opts), pages))
    finally:
        shutil.rmtree(opts.tmp, ignore_errors=True)
        proxy.shutdown()
    tot = {k: 0 for k in ("source", "kept", "nosrc", "embedded", "counted",
                          "warned", "lost")}
    bad = 0
    for r in results:
        if "error" in r:
            print("ERROR %s: %s" % (r["name"], r["error"]))
            bad += 1
            continue
        for k in tot:
            tot[k] += r[k]
        if r["lost"] or opts.v:
            print("%-60s source %4d kept %4d no src %3d embedded %4d "
                  "counted %3d warned %3d lost %d" % (
                      r["name"][:60], r["source"], r["kept"], r["nosrc"],
                      r["embedded"], r["counted"], r["warned"], r["lost"]))
        if r["lost"]:
            bad += 1
            if opts.v:
                sys.stdout.write(r["stderr"])
    pct = lambda a, b: 100.0 * a / b if b else 0.0  # noqa: E731
    print("pages: %d%s, proxy requests: %d, tunnels refused: %d" % (
        len(results), (" (--strip)" if opts.strip else "") +
        (" (--offline)" if opts.offline else ""), proxy.requests,
        proxy.tunnels))
    print("<img> in the pages: %d; kept in the tree: %d" % (tot["source"],
                                                           tot["kept"]))
    print("without any src (nothing to fetch): %d (%.1f%% of kept)" % (
        tot["nosrc"], pct(tot["nosrc"], tot["kept"])))
    print("embedded: %d (%.1f%% of <img>, %.1f%% of kept)" % (
        tot["embedded"], pct(tot["embedded"], tot["source"]),
        pct(tot["embedded"], tot["kept"])))
    print("counted in the remote-image warning: %d (%.1f%% of kept)" % (
        tot["counted"], pct(tot["counted"], tot["kept"])))
    print("named in another image warning: %d (%.1f%% of kept)" % (
        tot["warned"], pct(tot["warned"], tot["kept"])))
    print("lost silently: %d" % tot["lost"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
