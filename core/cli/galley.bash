# bash completion for galley(1). Installed as
# $datadir/bash-completion/completions/galley; bash-completion loads it on
# first use. Format and transform names come from the galley being completed
# (`galley --list-formats --json`), so plugins added later complete too.

# The names of loaded plugins that can $2 ("read", "write" or "transform").
_galley_plugins() {
  local exe=$1 cap=$2 flag=--list-formats
  [ "$cap" = transform ] && flag=--list-transforms
  "$exe" $flag --json 2>/dev/null |
    grep "\"$cap\": true" |
    sed -n 's/.*"name": "\([^"]*\)".*/\1/p'
}

_galley() {
  local cur prev exe=${COMP_WORDS[0]}
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  local opts="-f --from -t --to -o --output -x --transform --strip -M --meta
    -O --option --css --resource-path --extract-media --max-input-size --plugin-dir
    --list-formats --list-transforms --json --help-format --check-plugin --inputs --keep --no-valgrind
    -r --recursive -j --jobs --include --exclude --force --fail-fast --follow-symlinks --jsonl
    --offline --allow-local-network --fetch --input-list --warc-offset
    -q --quiet -v --verbose -h --help -V --version"

  case $prev in
  -f | --from)
    mapfile -t COMPREPLY < <(compgen -W "$(_galley_plugins "$exe" read)" -- "$cur")
    return ;;
  -t | --to)
    mapfile -t COMPREPLY < <(compgen -W "$(_galley_plugins "$exe" write)" -- "$cur")
    return ;;
  -x | --transform)
    mapfile -t COMPREPLY < <(compgen -W "$(_galley_plugins "$exe" transform)" -- "$cur")
    return ;;
  --help-format)
    mapfile -t COMPREPLY < <(compgen -W "$(_galley_plugins "$exe" read; _galley_plugins "$exe" write; _galley_plugins "$exe" transform)" -- "$cur")
    return ;;
  --input-list)
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return ;;
  --resource-path | --plugin-dir | --extract-media | --inputs | --keep)
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    return ;;
  --check-plugin)
    mapfile -t COMPREPLY < <(compgen -f -X '!*.so' -- "$cur"; compgen -d -- "$cur")
    return ;;
  -M | --meta | -O | --option | -j | --jobs | --max-input-size | --include | --exclude | --warc-offset)
    return ;; # a value of the user's own
  esac

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    return
  fi
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -o filenames -o bashdefault -F _galley galley
