#!/usr/bin/env python3
"""Writes a crawl of N corpus pages as K .warc.gz files (WARC/1.1, a gzip
member per record, as Common Crawl's): for each page a request record and
a response record (HTTP 200, text/html with its charset, every third one
chunked and every fifth gzip-encoded), plus a metadata record every tenth
page. The pages are the folder's .html files, taken round-robin, each
under a URI of its own. Usage: make_warc.py HTML_DIR OUT_PREFIX N [K]
writes OUT_PREFIX-00.warc.gz ... and prints their names."""
import gzip
import os
import sys
import zlib

src, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
k = int(sys.argv[4]) if len(sys.argv) > 4 else 1
pages = []
for name in sorted(os.listdir(src)):
    if name.endswith(".html"):
        with open(os.path.join(src, name), "rb") as f:
            pages.append((os.path.splitext(name)[0], f.read()))
if not pages:
    sys.exit("no .html pages in " + src)


def member(version_headers, block):
    head = "WARC/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in version_headers)
    head += "Content-Length: %d\r\n\r\n" % len(block)
    return gzip.compress(head.encode() + block + b"\r\n\r\n", compresslevel=1, mtime=0)


def chunked(data, size=8192):
    out = []
    for i in range(0, len(data), size):
        part = data[i:i + size]
        out.append(b"%x\r\n" % len(part) + part + b"\r\n")
    return b"".join(out) + b"0\r\n\r\n"


files = ["%s-%02d.warc.gz" % (prefix, j) for j in range(k)]
outs = [open(f, "wb") for f in files]
for i in range(n):
    name, html = pages[i % len(pages)]
    uri = "https://bench.example/%d/%s.html" % (i, name)
    date = "2024-05-01T12:%02d:%02dZ" % (i // 60 % 60, i % 60)
    out = outs[i * k // n]
    rid = "<urn:uuid:00000000-0000-4000-8000-%012d>" % i
    req = ("GET /%d/%s.html HTTP/1.1\r\nHost: bench.example\r\n\r\n" % (i, name)).encode()
    out.write(member([("WARC-Type", "request"), ("WARC-Record-ID", rid.replace("8000", "9000")),
                      ("WARC-Date", date), ("WARC-Target-URI", uri),
                      ("Content-Type", "application/http; msgtype=request")], req))
    body, headers = html, [("Content-Type", "text/html; charset=utf-8")]
    if i % 5 == 0:
        body = gzip.compress(body, compresslevel=1, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    if i % 3 == 0:
        body = chunked(body)
        headers.append(("Transfer-Encoding", "chunked"))
    else:
        headers.append(("Content-Length", str(len(body))))
    resp = ("HTTP/1.1 200 OK\r\n" + "".join("%s: %s\r\n" % h for h in headers) + "\r\n").encode() + body
    out.write(member([("WARC-Type", "response"), ("WARC-Record-ID", rid),
                      ("WARC-Date", date), ("WARC-Target-URI", uri),
                      ("Content-Type", "application/http; msgtype=response")], resp))
    if i % 10 == 0:
        out.write(member([("WARC-Type", "metadata"), ("WARC-Record-ID", rid.replace("8000", "a000")),
                          ("WARC-Date", date), ("WARC-Target-URI", uri),
                          ("Content-Type", "application/warc-fields")], b"fetchTimeMs: 120\r\n"))
for o in outs:
    o.close()
print(" ".join(files))
