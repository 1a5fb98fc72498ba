#!/usr/bin/env bash
# Start-up cost, from one interleaved run: `galley --version` against
# /bin/true, and a tiny Markdown to HTML conversion against cmark-gfm's
# (Debian cmark-gfm), with galley's plugin cache warm and with no usable
# cache (every plugin loaded at start, as before the cache), and
# `--version` with libcurl preloaded (what every run paid when libgalley
# linked libcurl instead of loading galley-fetch.so on the first fetch).
# Each round runs every command $batch times in turn, so that a loaded
# machine slows them all alike; the figures are means per run.
# Goals (issue 18): tiny conversion <= 1.5x cmark-gfm; --version <= 1.3x
# /bin/true + 1 ms.
# Usage: tests/bench/startup.sh [BUILD_DIR] [ROUNDS] [BATCH]  (build, 20, 10)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
rounds=${2:-20}
batch=${3:-10}
galley=$build/galley
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache # never the user's own cache
printf '# A title\n\nSome *text* with a [link](https://example.org).\n\n- one\n- two\n' > "$work/small.md"
printf 'x' > "$work/not-a-folder"
curl=$(ldconfig -p | awk '/libcurl\.so\.4 /{print $NF; exit}')
cmark=$(command -v cmark-gfm || true)

names=() cmds=()
add() { names+=("$1"); cmds+=("$2"); }
add true "/bin/true"
add version "\"$galley\" --version"
add tiny "\"$galley\" \"$work/small.md\" -t html"
add text "\"$galley\" \"$work/small.md\" -t text"
add nocache "XDG_CACHE_HOME=\"$work/not-a-folder\" \"$galley\" \"$work/small.md\" -t html"
[ -n "$cmark" ] && add cmark "\"$cmark\" \"$work/small.md\""
[ -n "$curl" ] && add curl "LD_PRELOAD=\"$curl\" \"$galley\" --version"

"$galley" "$work/small.md" -t html > /dev/null # writes the cache
declare -A total
for name in "${names[@]}"; do total[$name]=0; done
for _ in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    start=$(date +%s%N)
    for _ in $(seq "$batch"); do eval "${cmds[$i]}" > /dev/null 2>&1; done
    end=$(date +%s%N)
    total[${names[$i]}]=$((total[${names[$i]}] + end - start))
  done
done
runs=$((rounds * batch))
ms() { awk -v ns="${total[$1]}" -v n="$runs" 'BEGIN {printf "%.2f", ns / n / 1e6}'; }
ratio() { awk -v a="${total[$1]}" -v b="${total[$2]}" 'BEGIN {printf "%.2fx", a / b}'; }

echo "start-up, $runs runs each, interleaved in $rounds rounds (ms per run)"
printf '%-44s %8s  %s\n' "what" "ms" "ratio"
printf '%-44s %8s\n' "/bin/true" "$(ms true)"
vgoal=$(awk -v t="${total[true]}" -v n="$runs" 'BEGIN {printf "%.2f", 1.3 * t / n / 1e6 + 1}')
printf '%-44s %8s  %s of /bin/true (goal: <= %s ms)\n' "galley --version" \
  "$(ms version)" "$(ratio version true)" "$vgoal"
if [ -n "$cmark" ]; then
  printf '%-44s %8s\n' "cmark-gfm tiny.md" "$(ms cmark)"
  printf '%-44s %8s  %s of cmark-gfm (goal: <= 1.5x)\n' \
    "galley tiny.md -t html (plugin cache warm)" "$(ms tiny)" "$(ratio tiny cmark)"
  printf '%-44s %8s  %s of cmark-gfm\n' \
    "galley tiny.md -t html (no usable cache)" "$(ms nocache)" "$(ratio nocache cmark)"
  # The html plugin links libxml2 (and through it ICU and libstdc++);
  # markdown and text do not: what the html writer's libraries cost.
  printf '%-44s %8s  %s of cmark-gfm\n' \
    "galley tiny.md -t text (plugin cache warm)" "$(ms text)" "$(ratio text cmark)"
else
  printf '%-44s %8s  (cmark-gfm is not installed)\n' \
    "galley tiny.md -t html (plugin cache warm)" "$(ms tiny)"
  printf '%-44s %8s\n' "galley tiny.md -t html (no usable cache)" "$(ms nocache)"
fi
[ -n "$curl" ] && printf '%-44s %8s  %s of galley --version\n' \
  "galley --version, libcurl preloaded" "$(ms curl)" "$(ratio curl version)"
exit 0
