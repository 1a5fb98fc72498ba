#!/usr/bin/env bash
# The language step on the shared corpora (aeb/html and readability/*/source.html):
#  1. pages whose <html> has no lang attribute: how many end with a
#     language (declared elsewhere, or guessed from the text), checked
#     against readability's expected-metadata.json `lang` where it has one
#     and against tests/bench/lang-reference.tsv (read by hand) otherwise;
#  2. every page with its declarations taken out (lang, xml:lang, og:locale,
#     Content-Language, JSON-LD inLanguage): the guess against what the
#     page declared (its primary subtag);
#  3. direction: readability's expected `dir`, the html element's dir in
#     HTML output and the spine's page-progression-direction in EPUB;
#  4. EPUB: no book says dc:language en when the page is not English;
#  5. speed: a batch of the pages of 2 (no declarations) without a guess
#     (-M language=en), with the script and function words only
#     (GALLEY_TEXTCAT_DIR=) and with the models; and one page in a process
#     of its own (the models loaded for it alone). CPU time, best of 5.
# Usage: tests/bench/lang.sh [BUILD_DIR] [CORPORA_DIR]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
corpora=${2:-$root/../shared/corpora}
galley=$build/galley
if [ ! -d "$corpora/aeb/html" ] || [ ! -d "$corpora/readability" ]; then
  echo "SKIP: no corpora at $corpora"
  exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$galley" "$corpora" "$work" "$root/tests/bench/lang-reference.tsv" <<'EOF'
import glob, json, os, re, shutil, subprocess, sys, time, zipfile

galley, corpora, work, reftsv = sys.argv[1:5]

def read(p):
    with open(p, encoding='utf-8', errors='replace') as f:
        return f.read()

HTML_TAG = re.compile(r'<html\b[^>]*>', re.I)

def html_attr(page, name):
    m = HTML_TAG.search(page)
    if not m:
        return None
    a = re.search(r'[\s"\']%s\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+))' % name,
                  m.group(0), re.I)
    return None if not a else next(g for g in a.groups() if g is not None)

def undeclare(page):
    """The page without any declaration of its language."""
    m = HTML_TAG.search(page)
    if m:
        tag = re.sub(r'\s(?:xml:)?lang\s*=\s*(?:"[^"]*"|\'[^\']*\'|[^\s>]+)', '',
                     m.group(0), flags=re.I)
        page = page[:m.start()] + tag + page[m.end():]
    page = re.sub(r'<meta\b[^>]*(?:og:locale|content-language|'
                  r'name\s*=\s*["\']?(?:language|lang|dc\.language))[^>]*>', '',
                  page, flags=re.I)
    return re.sub(r'"inLanguage"\s*:\s*"[^"]*"\s*,?', '', page)

def primary(tag):
    return (tag or '').replace('_', '-').split('-')[0].lower() or None

# The pages: (name, path, expected-metadata or None).
pages = []
for p in sorted(glob.glob(os.path.join(corpora, 'aeb/html/*.html'))):
    pages.append(('aeb/' + os.path.basename(p)[:-5], p, None))
for p in sorted(glob.glob(os.path.join(corpora, 'readability/*/source.html'))):
    e = json.load(open(os.path.join(os.path.dirname(p), 'expected-metadata.json')))
    pages.append(('readability/' + p.split('/')[-2], p, e))

reference = {}
if os.path.exists(reftsv):
    for line in open(reftsv, encoding='utf-8'):
        if line.strip() and not line.startswith('#'):
            f = line.rstrip('\n').split('\t')
            reference[f[0]] = f[1]

def convert(src_dir, out_dir, to, env=None, extra=()):
    t0 = time.time()
    r = subprocess.run([galley, '-r', '--strip', '-t', to, *extra, '-o',
                        out_dir + '/', src_dir], capture_output=True,
                       text=True, env=env)
    if r.returncode not in (0, 1):
        sys.exit('galley failed: ' + r.stderr[-500:])
    return time.time() - t0

def entries(xml_path):
    try:
        s = read(xml_path)
    except OSError:
        return {}
    return dict(re.findall(r'<entry key="(language|direction)">([^<]*)<', s))

# Copies in a folder each: as they are, and undeclared.
asis, undecl = os.path.join(work, 'asis'), os.path.join(work, 'undeclared')
for name, p, _ in pages:
    flat = name.replace('/', '__') + '.html'
    for d, text in ((asis, None), (undecl, undeclare(read(p)))):
        os.makedirs(d, exist_ok=True)
        if text is None:
            shutil.copyfile(p, os.path.join(d, flat))
        else:
            with open(os.path.join(d, flat), 'w', encoding='utf-8') as f:
                f.write(text)
convert(asis, work + '/asis.xml', 'xml')
convert(undecl, work + '/undeclared.xml', 'xml')
convert(asis, work + '/asis.html', 'html')
convert(asis, work + '/asis.epub', 'epub')

def out(kind, name, ext):
    return os.path.join(work, kind + '.' + ext, name.replace('/', '__') + '.' + ext)

# 1. Pages without a lang attribute.
print('1. pages whose <html> has no lang attribute')
n = got = right = wrong = unknown = 0
for name, p, e in pages:
    page = read(p)
    if (html_attr(page, 'lang') or html_attr(page, 'xml:lang') or '').strip():
        continue
    n += 1
    lang = entries(out('asis', name, 'xml')).get('language')
    want = (e or {}).get('lang') or reference.get(name)
    got += lang is not None
    if want is None:
        unknown += 1
        verdict = 'no reference'
    elif want == 'und' and lang is None or primary(lang) == primary(want):
        right += 1
        verdict = 'ok'
    else:
        wrong += 1
        verdict = 'WRONG'
    print('   %-60s %-8s want %-6s %s' % (name[:60], lang or '(none)', want, verdict))
print('   %d pages: %d with a language, %d right, %d wrong, %d without a reference'
      % (n, got, right, wrong, unknown))

# 2. Every page, undeclared.
print('2. every page with its declarations taken out: the guess against the '
      'declaration (or the reference, where the declaration is wrong)')
n = ok = miss = 0
for name, p, e in pages:
    decl = reference.get(name) or (e or {}).get('lang') or html_attr(read(p), 'lang')
    if not decl or decl == 'und':
        continue
    n += 1
    lang = entries(out('undeclared', name, 'xml')).get('language')
    if primary(lang) == primary(decl):
        ok += 1
    else:
        miss += 1
        print('   %-60s guessed %-8s declared %s' % (name[:60], lang, decl))
print('   %d pages: %d guessed right (%.1f%%), %d not' % (n, ok, 100.0 * ok / max(n, 1), miss))

# 3. Direction.
print('3. direction')
for name, p, e in pages:
    want = (e or {}).get('dir')
    d = entries(out('asis', name, 'xml')).get('direction')
    if want is None and d != 'rtl':
        continue
    h = read(out('asis', name, 'html'))
    m = HTML_TAG.search(h)
    html_dir = 'rtl' if m and 'dir="rtl"' in m.group(0) else '-'
    spine = '-'
    try:
        with zipfile.ZipFile(out('asis', name, 'epub')) as z:
            opf = z.read('EPUB/package.opf').decode()
            spine = 'rtl' if 'page-progression-direction="rtl"' in opf else '-'
    except (OSError, KeyError, zipfile.BadZipFile):
        spine = '(no epub)'
    verdict = 'ok' if (want or 'ltr') == (d or 'ltr') else 'WRONG'
    print('   %-40s want %-5s direction %-5s html dir %-4s spine %-4s %s'
          % (name[:40], want, d, html_dir, spine, verdict))

# 4. EPUB dc:language.
print('4. EPUB dc:language (pages as they are, declarations and all)')
bad = books = other = 0
for name, p, e in pages:
    try:
        with zipfile.ZipFile(out('asis', name, 'epub')) as z:
            opf = z.read('EPUB/package.opf').decode()
    except (OSError, KeyError, zipfile.BadZipFile):
        continue
    books += 1
    m = re.search(r'<dc:language>([^<]*)<', opf)
    lang = m.group(1) if m else None
    want = reference.get(name) or (e or {}).get('lang') or html_attr(read(p), 'lang')
    if want and primary(lang) != primary(want):
        other += 1
        print('   %s: dc:language %s, the page is %s' % (name, lang, want))
        bad += primary(lang) == 'en'
print('   %d books: %d say en and are not English, %d say another wrong language'
      % (books, bad, other - bad))

# 5. Speed, in CPU time (user + system) of the galley processes, which a
# machine busy with other work disturbs far less than the clock.
import resource
def cpu(args, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, env=env, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print('5. speed: the %d undeclared pages, --strip -t text, one process; CPU '
      'seconds, best of 5' % len(pages))
env_off = dict(os.environ, GALLEY_TEXTCAT_DIR='')
runs = (('no guess (-M language=en)', None, ('-M', 'language=en')),
        ('script and function words', env_off, ()),
        ('with the models', None, ()))
best = {}
for k in range(5):
    for label, env, extra in runs:
        out_dir = os.path.join(work, 'speed%d%s' % (k, label[0]))
        t = cpu([galley, '-r', '--strip', '-t', 'text', *extra, '-o',
                 out_dir + '/', undecl], env)
        best[label] = min(best.get(label, t), t)
base = best[runs[0][0]]
for label, _, _ in runs:
    print('   %-28s %.3f s  %+.1f%%' % (label, best[label],
                                      100.0 * (best[label] - base) / base))
# An English page (its function words decide) and a Spanish one (the
# models are loaded for it alone).
for one in ('readability__medium-1.html', 'readability__la-nacion.html'):
    one = os.path.join(undecl, one)
    if not os.path.exists(one):
        continue
    print('   one page in a process of its own (%s), CPU seconds, best of 10:'
          % os.path.basename(one))
    for label, env, extra in runs:
        t = min(cpu([galley, '--strip', '-t', 'text', *extra, one], env)
                for _ in range(10))
        print('   %-28s %.3f s' % (label, t))
EOF
