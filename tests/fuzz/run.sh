#!/bin/sh
# Runs the libFuzzer targets of a -Dfuzz=true build, two at a time, each for
# SECONDS, and keeps every finding under tests/fuzz/regressions/<target>/
# (the normal suite replays those folders).
#
#   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
#   ninja -C build-fuzz
#   tests/fuzz/run.sh build-fuzz 600                 # all six targets
#   tests/fuzz/run.sh build-fuzz 60 html markdown    # some of them
#
# Seeds are collected from fixtures/ by extension at run time (no copies in
# the repository); EPUB seeds are made by converting fixtures with the
# build's own galley. Working corpora stay in BUILD/fuzz-work/<target>/ so a
# later run goes on from them. One summary line per target goes to
# BUILD/fuzz-work/summary.txt and standard output.
set -u

build=${1:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=${*:-html markdown text epub xml pipeline}
parallel=${FUZZ_PARALLEL:-2}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$build" && pwd)
# Executables under tests/ are not beside build/galley-uninstalled, so they
# are given this build's plugins the way `meson devenv` would.
: "${GALLEY_PLUGIN_SYSTEM_PATH=$(grep -v '^#' "$build/galley-uninstalled" | head -n1)}"
export GALLEY_PLUGIN_SYSTEM_PATH
work="$build/fuzz-work"
mkdir -p "$work"

exts_of() {
  case $1 in
  html) echo "html htm xhtml" ;;
  markdown) echo "md" ;;
  text) echo "txt" ;;
  epub) echo "epub" ;;
  xml) echo "xml" ;;
  pipeline) echo "html htm xhtml md txt xml epub" ;;
  esac
}

# Seeds: copies of the fixtures with the target's extensions (flat, named
# by content hash so the same file twice is one seed).
seed() {
  t=$1
  dir="$work/$t/seeds"
  rm -rf "$dir"
  mkdir -p "$dir"
  for ext in $(exts_of "$t"); do
    find "$root/fixtures" -type f -name "*.$ext" | while read -r f; do
      cp "$f" "$dir/$(sha1sum <"$f" | cut -c1-16).$ext"
    done
  done
  case $t in
  epub | pipeline)
    for f in "$root"/fixtures/epub/*.md "$root"/fixtures/markdown/*.md; do
      [ -f "$f" ] || continue
      out="$dir/$(basename "$f" .md)-$(sha1sum <"$f" | cut -c1-8).epub"
      (cd "$(dirname "$f")" && "$build/galley" -q "$f" -o "$out") 2>/dev/null || rm -f "$out"
    done
    ;;
  esac
  # The epub target also reads a book as NUL-separated parts (see entry.h):
  # each EPUB seed once more in that form.
  if [ "$t" = epub ]; then
    for f in "$dir"/*.epub; do
      [ -f "$f" ] || continue
      python3 - "$f" "${f%.epub}.parts" <<'PY' || rm -f "${f%.epub}.parts"
import re, sys, zipfile, posixpath
z = zipfile.ZipFile(sys.argv[1])
root = re.search(rb'full-path="([^"]+)"', z.read("META-INF/container.xml")).group(1).decode()
opf = z.read(root).decode("utf-8")
parts = []
for m in re.finditer(r'<item\b[^>]*>', opf):
    item = m.group(0)
    href = re.search(r'href="([^"]+)"', item)
    if href and "application/xhtml+xml" in item:
        name = posixpath.join(posixpath.dirname(root), href.group(1))
        parts.append((href.group(1), z.read(name)))
for k, (href, _) in enumerate(parts, 1):
    opf = opf.replace('href="%s"' % href, 'href="c%d.xhtml"' % k)
with open(sys.argv[2], "wb") as out:
    out.write(b"\0".join([opf.encode()] + [data for _, data in parts]))
PY
    done
  fi
}

run_one() {
  t=$1
  exe="$build/tests/fuzz/fuzz_$t"
  if [ ! -x "$exe" ]; then
    echo "$t: $exe is missing (build with -Dfuzz=true)" >&2
    return 1
  fi
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  seed "$t"
  log="$work/$t/log.txt"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
    "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
    "$work/$t/corpus" "$work/$t/seeds" >"$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  units=$(ls "$work/$t/corpus" | wc -l)
  found=0
  for a in "$work/$t/artifacts"/*; do
    [ -f "$a" ] || continue
    kind=$(basename "$a" | sed 's/-.*//')
    mkdir -p "$here/regressions/$t"
    cp "$a" "$here/regressions/$t/$kind-$(sha1sum <"$a" | cut -c1-16)"
    found=$((found + 1))
  done
  line="$t: ${seconds}s, ${runs:-?} runs, ${rate:-?} exec/s, corpus $units, peak RSS ${rss:-?} MB, findings $found, exit $status"
  echo "$line"
  echo "$(date -u +%FT%TZ) $line" >>"$work/summary.txt"
  [ "$found" -eq 0 ] && [ "$status" -eq 0 ]
}

failed=0
set -- $targets
while [ $# -gt 0 ]; do
  pids=""
  n=0
  while [ $# -gt 0 ] && [ $n -lt "$parallel" ]; do
    run_one "$1" &
    pids="$pids $!"
    n=$((n + 1))
    shift
  done
  for p in $pids; do
    wait "$p" || failed=1
  done
done
[ $failed -eq 0 ] || echo "findings were copied to $here/regressions/; replay: meson test --suite fuzz" >&2
exit $failed
