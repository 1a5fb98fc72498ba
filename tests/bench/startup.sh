#!/usr/bin/env bash
# Start-up cost: `galley --version` and a small Markdown to HTML conversion,
# 50 runs each, beside the same commands with libcurl preloaded
# (LD_PRELOAD), which is what every run paid when libgalley linked libcurl
# instead of loading galley-fetch.so on the first fetch. Both in this run.
# Usage: tests/bench/startup.sh [BUILD_DIR] [RUNS]   (default build, 50)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
runs=${2:-50}
galley=$build/galley
curl=$(ldconfig -p | awk '/libcurl\.so\.4 /{print $NF; exit}')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '# A title\n\nSome *text* with a [link](https://example.org).\n\n- one\n- two\n' > "$work/small.md"

# avg COMMAND...: mean seconds per run over $runs runs.
avg() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" > /dev/null 2>&1; done
  end=$(date +%s%N)
  awk -v ns=$((end - start)) -v n="$runs" 'BEGIN {printf "%.3f s", ns / n / 1e9}'
}
if ldd "$galley" | grep -q libcurl; then
  echo "note: this galley links libcurl itself; both columns pay for it"
fi
printf '%-28s %-12s %s\n' "what ($runs runs each)" "galley" "libcurl preloaded (as when linked)"
v=$(avg "$galley" --version)
vc=-
[ -n "$curl" ] && vc=$(avg env LD_PRELOAD="$curl" "$galley" --version)
printf '%-28s %-12s %s\n' "galley --version" "$v" "$vc"
m=$(avg "$galley" "$work/small.md" -o "$work/small.html")
mc=-
[ -n "$curl" ] && mc=$(avg env LD_PRELOAD="$curl" "$galley" "$work/small.md" -o "$work/small.html")
printf '%-28s %-12s %s\n' "small md -> html" "$m" "$mc"
