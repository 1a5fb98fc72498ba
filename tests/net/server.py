#!/usr/bin/env python3
"""A small HTTP server for galley's network tests, on 127.0.0.1 only.

    server.py FIXTURES_DIR LOG_FILE [--tls CERT KEY]

Listens on 127.0.0.1 on a free port and prints that port alone on the first
line of standard output. Stops when standard input reaches end of file or on
SIGTERM. Appends one line per event to LOG_FILE (flushed at once):

    CONN                          a new connection was accepted
    REQ <path> ua=<UA> ae=<AE>    a request (an absolute URL when proxied)
    ACTIVE <n>                    requests in progress, this one included
    SENT <path> <bytes>           how much a streaming route sent before the
                                  client went away or it finished

Besides the files of FIXTURES_DIR, it misbehaves on purpose:

    /redirect/N       302 to /redirect/N-1; /redirect/0 answers "arrived"
    /loop             302 to itself
    /to-file          302 to file:///etc/passwd
    /to-ftp           302 to ftp://127.0.0.1/x
    /to-data          302 to data:text/plain,hi
    /to-local?port=P  302 to http://127.0.0.1:P/page.html
    /to-localhost?port=P  302 to http://localhost:P/page.html
    /to-relative      302 to ../page.html (relative to /a/b)
    /no-location      302 without a Location
    /gzip/NAME        NAME gzip-encoded; /deflate/NAME zlib-encoded
    /charset-only     windows-1252 bytes, charset only in the header
    /ctype?v=VALUE    "hello" with Content-Type: VALUE
    /404              404; /500 500
    /slow?s=SECONDS   a PNG, after sleeping
    /huge             streams zeros until the client gives up (1 GiB max),
                      with no Content-Length; /huge?length says 1 GiB
    /bomb             64 MiB of zeros gzip-encoded into about 64 KiB
    /empty-stream     gzip whose blocks decode to nothing, streamed forever
    /image/N.png|jpg|gif|svg   a tiny valid image, different for each N
    /wrong-type       a PNG served as text/html

With --tls it speaks https with that certificate (tests use a self-signed
one to prove that galley refuses it).

A request whose target is an absolute URL is answered as a forward proxy
would, from this server's own routes (whatever host the URL names), so that
tests can stand this server in for a proxy without any other host.
"""
import gzip
import http.server
import os
import signal
import ssl
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
import zlib


def png(n):
    """A 1x1 RGB PNG whose colour and tEXt comment depend on n."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(
            ">I", zlib.crc32(body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = bytes([0, n % 256, (n * 7) % 256, (n * 13) % 256])
    text = b"Comment\0idx=%d" % n
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"tEXt", text) + chunk(b"IDAT", zlib.compress(pixel)) +
            chunk(b"IEND", b""))


def jpeg(n):
    """An 8x8 grey baseline JPEG: one DC and one AC Huffman code, each a
    single 1-bit code, so the whole scan is 'DC diff 0, end of block'. A COM
    segment carries n."""
    def seg(marker, data):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data
    dqt = b"\x00" + bytes([1] * 64)
    sof = struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00"
    # One code of length 1 for symbol 0: DC category 0, and AC 0x00 = EOB.
    dht_dc = b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    dht_ac = b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    sos = b"\x01\x01\x00\x00\x3f\x00"
    scan = b"\x3f"  # bits 0 (DC), 0 (EOB), then 1s to pad the byte
    return (b"\xff\xd8" + seg(0xFE, b"idx=%d" % n) + seg(0xDB, dqt) +
            seg(0xC0, sof) + seg(0xC4, dht_dc) + seg(0xC4, dht_ac) +
            seg(0xDA, sos) + scan + b"\xff\xd9")


def gif(n):
    """A 1x1 GIF89a with a two-colour palette; a comment carries n."""
    comment = b"idx=%d" % n
    return (b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) +
            bytes([n % 256, 0, 0, 255, 255, 255]) +
            b"\x21\xfe" + bytes([len(comment)]) + comment + b"\x00" +
            b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) +
            b"\x02\x02\x44\x01\x00" + b"\x3b")


def svg(n):
    return (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'width="1" height="1"><!-- idx=%d --><rect width="1" '
            b'height="1"/></svg>\n' % n)


IMAGES = {"png": (png, "image/png"), "jpg": (jpeg, "image/jpeg"),
          "gif": (gif, "image/gif"), "svg": (svg, "image/svg+xml")}

_bomb = None
_bomb_lock = threading.Lock()


def bomb():
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            c = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip wrapper
            zeros = bytes(1 << 20)
            parts = [c.compress(zeros) for _ in range(64)]
            parts.append(c.flush())
            _bomb = b"".join(parts)
        return _bomb


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "galley-test"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.server.event("CONN")

    def send(self, code, body=b"", ctype="text/plain", headers=()):
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location, code=302):
        self.send(code, b"moved\n", headers=[("Location", location)])

    def do_GET(self):
        srv = self.server
        target = self.path
        srv.event("REQ %s ua=%s ae=%s" % (
            target, self.headers.get("User-Agent", ""),
            self.headers.get("Accept-Encoding", "")))
        with srv.lock:
            srv.active += 1
            srv.event("ACTIVE %d" % srv.active)
        try:
            if target.startswith("http://"):
                parts = urllib.parse.urlsplit(target)
                target = parts.path + ("?" + parts.query if parts.query else "")
            self.route(target)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.active -= 1

    def route(self, target):
        url = urllib.parse.urlsplit(target)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        parts = path.strip("/").split("/")
        head = parts[0] if parts else ""

        if head == "redirect" and len(parts) == 2 and parts[1].isdigit():
            n = int(parts[1])
            if n == 0:
                return self.send(200, b"arrived\n")
            return self.redirect("/redirect/%d" % (n - 1))
        if path == "/loop":
            return self.redirect("/loop")
        if path == "/to-file":
            return self.redirect("file:///etc/passwd")
        if path == "/to-ftp":
            return self.redirect("ftp://127.0.0.1/x")
        if path == "/to-data":
            return self.redirect("data:text/plain,hi")
        if path == "/to-local":
            return self.redirect("http://127.0.0.1:%s/page.html" %
                                 query["port"][0])
        if path == "/to-localhost":
            return self.redirect("http://localhost:%s/page.html" %
                                 query["port"][0])
        if path == "/a/b/to-relative":
            return self.redirect("../../page.html", 301)
        if path == "/no-location":
            return self.send(302, b"nowhere\n")
        if head in ("gzip", "deflate") and len(parts) == 2:
            body = self.fixture(parts[1])
            if body is None:
                return self.send(404, b"no such fixture\n")
            if head == "gzip":
                enc = gzip.compress(body)
            else:
                enc = zlib.compress(body)
            return self.send(200, enc, "text/html; charset=utf-8",
                             [("Content-Encoding", head)])
        if path == "/charset-only":
            body = ("<html><head><title>Caf\u00e9</title></head><body>"
                    "<p>Caf\u00e9 cr\u00e8me \u2013 \u201cquoted\u201d</p>"
                    "</body></html>\n").encode("windows-1252")
            return self.send(200, body, "text/html; charset=windows-1252")
        if path == "/ctype":
            return self.send(200, b"hello", query.get("v", [""])[0] or None)
        if path == "/404":
            return self.send(404, b"not here\n")
        if path == "/500":
            return self.send(500, b"broken\n")
        if path == "/slow":
            time.sleep(float(query.get("s", ["1"])[0]))
            return self.send(200, png(int(query.get("i", ["0"])[0])),
                             "image/png")
        if path == "/huge":
            return self.huge(target)
        if path == "/empty-stream":
            return self.empty_stream(target)
        if path == "/bomb":
            return self.send(200, bomb(), "text/html",
                             [("Content-Encoding", "gzip")])
        if head == "image" and len(parts) == 2 and "." in parts[1]:
            stem, ext = parts[1].rsplit(".", 1)
            if ext in IMAGES and stem.isdigit():
                make, ctype = IMAGES[ext]
                return self.send(200, make(int(stem)), ctype)
            return self.send(404, b"no such image\n")
        if path == "/wrong-type":
            return self.send(200, png(99), "text/html")
        body = self.fixture(path.lstrip("/"))
        if body is None:
            return self.send(404, b"no such fixture\n")
        ctype = "text/html" if path.endswith(".html") else "text/plain"
        return self.send(200, body, ctype)

    def fixture(self, name):
        if "/" in name or name.startswith("."):
            return None
        try:
            with open(os.path.join(self.server.fixtures, name), "rb") as f:
                return f.read()
        except OSError:
            return None

    def huge(self, target):
        # Without ?length, no Content-Length: the client learns the size
        # only by reading, and must stop on its own.
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if "length" in target:
            self.send_header("Content-Length", str(1 << 30))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        chunk = bytes(64 << 10)
        sent = 0
        try:
            while sent < (1 << 30):
                self.wfile.write(chunk)
                sent += len(chunk)
        finally:
            self.server.event("SENT %s %d" % (target, sent))
            self.close_connection = True


    def empty_stream(self, target):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Connection", "close")
        self.end_headers()
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        sent = 0
        try:
            # The flush writes the gzip header and leaves the stream on a
            # byte boundary; then empty stored blocks (type 00, LEN 0,
            # NLEN ffff) follow: 5 bytes each on the wire, nothing decoded.
            self.wfile.write(c.compress(b"") + c.flush(zlib.Z_FULL_FLUSH))
            chunk = b"\x00\x00\x00\xff\xff" * 8192
            while sent < (1 << 30):
                self.wfile.write(chunk)
                sent += len(chunk)
        finally:
            self.server.event("SENT %s %d" % (target, sent))
            self.close_connection = True


def main():
    args = sys.argv[1:]
    if not (len(args) == 2 or (len(args) == 5 and args[2] == "--tls")):
        sys.stderr.write("usage: server.py FIXTURES_DIR LOG_FILE "
                         "[--tls CERT KEY]\n")
        return 2
    srv = Server(("127.0.0.1", 0), Handler)
    if len(args) == 5:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args[3], args[4])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.fixtures = sys.argv[1]
    srv.lock = threading.Lock()
    srv.active = 0
    log = open(sys.argv[2], "a", buffering=1)
    log_lock = threading.Lock()

    def event(line):
        with log_lock:
            log.write(line + "\n")
            log.flush()
    srv.event = event

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)

    def watch_stdin():
        while sys.stdin.buffer.read(4096):
            pass
        stop()
    threading.Thread(target=watch_stdin, daemon=True).start()

    sys.stdout.write("%d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever(poll_interval=0.05)
    srv.server_close()
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
