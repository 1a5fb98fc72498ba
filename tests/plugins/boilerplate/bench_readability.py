#!/usr/bin/env python3
"""galley on Mozilla Readability's test pages: article text and metadata.

For every page folder under CORPORA/readability (source.html,
expected.html, expected-metadata.json) it runs

    galley --strip -t text -O references=false -O standalone=false source.html
    galley --strip -t xml source.html          (for the metadata)

and prints:

* text F1: the shingle F1 of score-extraction (the article extraction
  benchmark's measure) between galley's text and the text of
  Readability's expected.html, both written by the same text writer
  (`galley -t text` without --strip on expected.html), so that only what
  was kept and dropped counts, not how the writer renders it;
* title, byline and excerpt: the share of pages where galley's value
  matches the expected one, by these rules (stated so the figure means
  something):
  - every value is normalised: Unicode NFKC, case folded, typographic
    quotes and dashes made plain, whitespace collapsed, trimmed;
  - title: equal after normalisation;
  - byline: the same set of words, after dropping a leading "by"/"por"/
    "von"/"par", the joining words "and"/"y"/"und"/"et"/"&", digits,
    month names and punctuation (galley writes each author as a `author` entry;
    Readability writes one line: "By Jane Doe and John Roe");
    a page whose expected byline is empty matches when galley gives none;
  - excerpt: equal after normalisation, or, when both have 50+
    characters, one is the start of the other (galley cuts a
    first-paragraph excerpt near 300 characters; Readability does not);
    a page whose expected excerpt is empty matches when galley gives none.

A second line gives the same figures by the rules of issue 16, which
asks galley to differ from Readability on purpose:

  - title: also a match when Readability's title is galley's followed by
    a separator (| - – — · :: _ or "[...]") and a part that names the site
    by Readability's own siteName or the host of the page's canonical or
    og:url link (galley cuts a site's name; Readability keeps it: "Mozilla
    - Wikipedia");
  - byline: over the pages where Readability gives a byline (where it
    gives none, galley's byline is not checked: Readability misses many);
    a match when galley gives at least one author and every word of its
    authors is a word of Readability's byline (Readability keeps the
    "By", the date, the job title and a link: "By Kelli Miller WebMD
    Health News" for galley's "Kelli Miller"). A byline that, cleaned of
    dates, times and a button's label as issue 16 cleans bylines, names
    nobody ("April 28, 2019 at 6:01 am Updated …", "Last Updated: January
    7, 2025", "Follow Author") is no byline: the page is not counted.

Usage: bench_readability.py BUILD_DIR [CORPORA_DIR] [--misses]
Exit 77 when the corpus is absent.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"',
                        "\u201d": '"', "\u2013": "-", "\u2014": "-",
                        "\u00a0": " "})


def norm(s):
    if s is None:
        return ""
    s = unicodedata.normalize("NFKC", s).translate(QUOTES).casefold()
    return re.sub(r"\s+", " ", s).strip()


JOIN = {"and", "y", "und", "et", "e", "&"}
LEAD = {"by", "por", "von", "par", "door", "di"}


MONTHS = set("jan feb mar apr may jun jul aug sep sept oct nov dec january "
             "february march april june july august september october "
             "november december".split())


def byline_words(s):
    # Digits go (Readability's bylines often run into the date:
    # "by Lucas Nolan22 Dec 2016"), and so do month names.
    words = re.findall(r"\w+(?:['.-]\w+)*|&", re.sub(r"\d+", " ", norm(s)))
    while words and words[0] in LEAD:
        words = words[1:]
    return {w for w in words if w not in JOIN and w not in MONTHS}


def title_ok(want, got):
    return norm(want) == norm(got)


def letters(s):
    return "".join(c for c in norm(s) if c.isalnum())


def site_names(want, src):
    """Readability's siteName and the labels of the canonical URL's host."""
    names = set()
    if want.get("siteName"):
        names.add(letters(want["siteName"]))
        names.update(letters(l) for l in want["siteName"].split(".")[:-1])
    try:
        with open(src, encoding="utf-8", errors="replace") as f:
            head = f.read(300000)
    except OSError:
        return names
    for m in re.finditer(r'<(?:link|meta)[^>]*(?:rel="canonical"|'
                         r'property="og:url")[^>]*>', head, re.I):
        h = re.search(r'(?:href|content)="https?://([^/":]+)', m.group(0))
        if h:
            host = h.group(1).lower()
            names.add(letters(host))
            names.update(letters(l) for l in host.split(".")[:-1]
                         if len(l) >= 2 and l != "www")
    names.discard("")
    return names


SEPS = re.compile(r"^(.*\S)\s+(?:\||-|\u2013|\u2014|\u00b7|::|_)\s*(.+)$")


def title_site_ok(want, got, sites):
    if title_ok(want, got):
        return True
    w = norm(want)
    m = re.match(r"^(.*\S)\s+\[([^\]]+)\]$", w) or SEPS.match(w)
    return bool(m) and m.group(1) == norm(got) and letters(m.group(2)) in sites


NOT_NAMES = {"updated", "last", "at", "am", "pm", "a", "m", "follow",
             "author", "posted", "published", "on", "by", "and"}


def names_someone(want):
    """False for an expected byline that, cleaned by issue 16's rules
    (dates, times, "Updated", a button's label), names nobody: "April 28,
    2019 at 6:01 am Updated …", "Last Updated: January 7, 2025", "Follow
    Author"."""
    words = re.findall(r"\w+", re.sub(r"\d+", " ", norm(want)))
    return any(w not in MONTHS and w not in NOT_NAMES for w in words)


def byline_in(want, got_list):
    if not got_list:
        return False
    words = set(re.findall(r"\w+", re.sub(r"\d+", " ", norm(want))))
    return all(set(re.findall(r"\w+", norm(g))) <= words for g in got_list)


def byline_ok(want, got_list):
    if not norm(want):
        return not got_list
    got = " and ".join(got_list)
    return byline_words(want) == byline_words(got)


def excerpt_ok(want, got):
    w, g = norm(want), norm(got)
    if not w:
        return not g
    if w == g:
        return True
    if len(w) >= 50 and len(g) >= 50:
        return w.startswith(g) or g.startswith(w)
    return False


def galley_meta(galley, src):
    r = subprocess.run([galley, "--strip", "-t", "xml", src],
                       capture_output=True)
    meta = {"author": []}
    if r.returncode != 0:
        return meta
    root = ET.fromstring(r.stdout)
    for m in root:
        if m.tag.split("}")[-1] != "meta":
            continue
        for e in m:
            k, v = e.get("key"), e.text or ""
            if k == "author":
                meta["author"].append(v)
            elif k not in meta:
                meta[k] = v
    return meta


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    misses = "--misses" in sys.argv
    if not args:
        print(__doc__.split("\n\n")[-2], file=sys.stderr)
        return 2
    build = args[0]
    corpora = args[1] if len(args) > 1 else os.environ.get(
        "GALLEY_CORPORA", os.path.join(HERE, "../../../../shared/corpora"))
    root = os.path.join(corpora, "readability")
    score = os.path.join(corpora, "../tools/score-extraction")
    if not os.path.isdir(root):
        print("bench_readability: no corpus at " + root, file=sys.stderr)
        return 77
    galley = os.path.join(build, "galley")
    pages = sorted(d for d in os.listdir(root)
                   if os.path.isfile(os.path.join(root, d, "source.html")))
    truth, ok = {}, {"title": 0, "byline": 0, "excerpt": 0}
    ok16 = {"title": 0, "byline": 0, "bylines": 0}
    miss16 = []
    miss = {"title": [], "byline": [], "excerpt": []}
    with tempfile.TemporaryDirectory() as out:
        for name in pages:
            d = os.path.join(root, name)
            src = os.path.join(d, "source.html")
            plain = [galley, "-t", "text", "-O", "references=false", "-O",
                     "standalone=false"]
            r = subprocess.run(plain + [os.path.join(d, "expected.html")],
                               capture_output=True)
            truth[name] = {"articleBody": r.stdout.decode("utf-8", "replace")}
            r = subprocess.run(plain + ["--strip", src], capture_output=True)
            with open(os.path.join(out, name + ".txt"), "wb") as f:
                f.write(r.stdout)
            with open(os.path.join(d, "expected-metadata.json"),
                      encoding="utf-8") as f:
                want = json.load(f)
            got = galley_meta(galley, src)
            if title_site_ok(want.get("title"), got.get("title"),
                             site_names(want, src)):
                ok16["title"] += 1
            else:
                miss16.append(("title", name, want.get("title"),
                               got.get("title")))
            if norm(want.get("byline")) and names_someone(want.get("byline")):
                ok16["bylines"] += 1
                if byline_in(want.get("byline"), got["author"]):
                    ok16["byline"] += 1
                else:
                    miss16.append(("byline", name, want.get("byline"),
                                   got["author"]))
            checks = (
                ("title", title_ok(want.get("title"), got.get("title")),
                 want.get("title"), got.get("title")),
                ("byline", byline_ok(want.get("byline"), got["author"]),
                 want.get("byline"), got["author"]),
                ("excerpt", excerpt_ok(want.get("excerpt"),
                                       got.get("description")),
                 want.get("excerpt"), got.get("description")),
            )
            for key, good, w, g in checks:
                if good:
                    ok[key] += 1
                else:
                    miss[key].append((name, w, g))
        tpath = os.path.join(out, "truth.json")
        with open(tpath, "w", encoding="utf-8") as f:
            json.dump(truth, f)
        print("== galley --strip -t text on %d Readability test pages "
              "(truth: expected.html as text)" % len(pages))
        sys.stdout.flush()
        subprocess.run([sys.executable, score, tpath, out, "--worst", os.environ.get("BENCH_WORST", "8")])
    n = len(pages)
    if misses:
        for key in miss:
            for name, w, g in miss[key]:
                print("miss %-8s %-32s want %r got %r" % (key, name, w, g))
        for key, name, w, g in miss16:
            print("miss16 %-6s %-32s want %r got %r" % (key, name, w, g))
    print("metadata: title %d/%d (%.1f%%), byline %d/%d (%.1f%%), "
          "excerpt %d/%d (%.1f%%)" % (
              ok["title"], n, 100.0 * ok["title"] / n,
              ok["byline"], n, 100.0 * ok["byline"] / n,
              ok["excerpt"], n, 100.0 * ok["excerpt"] / n))
    b = max(ok16["bylines"], 1)
    print("metadata (issue 16 rules): title %d/%d (%.1f%%), byline %d/%d "
          "(%.1f%%), excerpt %d/%d (%.1f%%)" % (
              ok16["title"], n, 100.0 * ok16["title"] / n,
              ok16["byline"], ok16["bylines"], 100.0 * ok16["byline"] / b,
              ok["excerpt"], n, 100.0 * ok["excerpt"] / n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
