#!/bin/sh
# Runs galley_dask.py with a python3 that has Dask distributed (Debian's
# python3-distributed is /usr/bin/python3's); exit 77 (skipped) when none
# has it.
here=$(dirname "$0")
for py in "${DASK_PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$py" ] || continue
  if "$py" -c 'import distributed' 2>/dev/null; then
    exec "$py" "$here/galley_dask.py" "$@"
  fi
done
echo "# no python3 with Dask distributed (apt-get install python3-distributed): skipped"
exit 77
