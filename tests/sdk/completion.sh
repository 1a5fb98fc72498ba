#!/bin/bash
# The bash completion file completes options, the formats and transforms
# that the galley being completed has loaded, and file names. TAP output.
# Argument: the path of galley.bash.
set -u
exe=${GALLEY_EXE:?}
source "${1:?}"
n=0
failed=0
check() { # description, then the words typed (the last one is completed)
  local what=$1
  shift
  COMP_WORDS=("$exe" "$@")
  COMP_CWORD=$(($# ))
  COMPREPLY=()
  _galley
  reply=" ${COMPREPLY[*]} "
}
expect() { # what, pattern in the reply
  n=$((n + 1))
  if [[ $reply == *" $2 "* ]]; then echo "ok $n - $1"; else
    failed=$((failed + 1)); echo "not ok $n - $1 (got:$reply)"; fi
}
refuse() {
  n=$((n + 1))
  if [[ $reply != *" $2 "* ]]; then echo "ok $n - $1"; else
    failed=$((failed + 1)); echo "not ok $n - $1 (got:$reply)"; fi
}

check "" -t ""
expect "-t offers a writable format (gemtext)" gemtext
expect "-t offers html" html
refuse "-t does not offer a transform" boilerplate
check "" --from g
expect "--from completes a prefix" gemtext
refuse "--from offers only matching names" html
check "" -x ""
expect "-x offers the transforms" boilerplate
refuse "-x offers no formats" html
check "" --list-f
expect "an option completes" --list-formats
check "" --ch
expect "--check-plugin completes" --check-plugin
check "" --off
expect "--offline completes" --offline
check "" --allow
expect "--allow-local-network completes" --allow-local-network
check "" --input-l
expect "--input-list completes" --input-list
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
touch "$dir/article.gmi" "$dir/other.txt" "$dir/mod.so"
check "" "$dir/art"
expect "a file name completes" "$dir/article.gmi"
check "" --check-plugin "$dir/"
expect "--check-plugin offers .so files" "$dir/mod.so"
refuse "--check-plugin does not offer other files" "$dir/other.txt"
mkdir "$dir/hostile"
check "" --check-plugin "$dir/mod.so" --inputs "$dir/ho"
expect "--inputs offers folders" "$dir/hostile"
refuse "--inputs offers no files" "$dir/other.txt"
check "" --check-plugin "$dir/mod.so" --keep "$dir/"
expect "--keep offers folders" "$dir/hostile"
check "" --no-v
expect "--no-valgrind completes" --no-valgrind
check "" --input-list "$dir/oth"
expect "--input-list offers files" "$dir/other.txt"
echo "1..$n"
exit $((failed > 0))
