#!/usr/bin/env bash
# End-to-end check of the shipped guided notebooks: each one runs on the
# built-in sample tenant twice, with `huntbook run` (and its HTML report) and
# with `jupyter nbconvert --execute` on the installed kernelspec, and
# notebooks_check.py checks what each produced: tables and pictures, no
# errors, and a Findings cell naming the planted entities of ground_truth.json.
# It builds nothing: `make e2e` builds bin/huntbook first (HUNTBOOK_BIN
# overrides the path). HUNTBOOK_E2E_CHARTS=0 skips the picture check.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$(realpath "${HUNTBOOK_BIN:-bin/huntbook}")
[ -x "$bin" ] || { echo "e2e-notebooks: $bin is missing; run 'make build' first" >&2; exit 1; }

# Notebooks that cannot run yet, with the reason ([name]="why"); none now.
declare -A waiting=()

# Debian's Jupyter lives in /usr/bin; a pyenv or venv python3 earlier on
# PATH would not see its modules.
export PATH="/usr/bin:$PATH"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A private Jupyter world: only our kernelspec, no user config.
export JUPYTER_PATH="$tmp/prefix/share/jupyter"
export JUPYTER_DATA_DIR="$tmp/data" JUPYTER_RUNTIME_DIR="$tmp/runtime" JUPYTER_CONFIG_DIR="$tmp/config"
export IPYTHONDIR="$tmp/ipython" PYDEVD_DISABLE_FILE_VALIDATION=1
mkdir -p "$JUPYTER_RUNTIME_DIR"
# The built-in sample tenant is generated into the user cache folder; a
# private one starts clean and leaves nothing behind. Both runners use the
# built-in tenant because the kernel pins now() to its end, so the
# notebooks' ago() windows find the planted stories.
export XDG_CACHE_HOME="$tmp/cache"
unset HUNTBOOK_WORKSPACE HUNTBOOK_PROVIDER 2>/dev/null || true

"$bin" install --prefix "$tmp/prefix" --name huntbook >/dev/null

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

truth() {
  # The newest cached tenant (a run that crosses an hour makes a second one;
  # the planted entities are the same in both: they come from the seed).
  ls -t "$XDG_CACHE_HOME"/huntbook/sample-*/ground_truth.json 2>/dev/null | head -n 1
}

names=$("$bin" notebooks list | awk '{print $1}')
[ -n "$names" ] || { echo "e2e-notebooks: huntbook notebooks list shows no notebooks" >&2; exit 1; }
for name in $names; do
  if [ -n "${waiting[$name]:-}" ]; then
    echo "skip: $name (${waiting[$name]})"
    continue
  fi
  mkdir -p "$tmp/$name"
  "$bin" notebooks copy "$name" "$tmp/$name" >/dev/null

  # 1. huntbook run, with the HTML report.
  if timeout 120 "$bin" run "$name" -o "$tmp/$name/run.ipynb" --html "$tmp/$name/run.html" --progress none >"$tmp/$name/run.log" 2>&1; then
    gt=$(truth)
    if [ -z "$gt" ]; then
      bad "$name: huntbook run: no ground_truth.json under $XDG_CACHE_HOME/huntbook"
    elif ! grep -q "<table" "$tmp/$name/run.html"; then
      bad "$name: huntbook run: HTML report $tmp/$name/run.html has no table"
    elif "$py" "$root/.ci/notebooks_check.py" "$name" "$tmp/$name/run.ipynb" "$gt"; then
      ok "$name: huntbook run"
    else
      bad "$name: huntbook run outputs"
    fi
  else
    cat "$tmp/$name/run.log" >&2
    bad "$name: huntbook run exited non-zero"
  fi

  # 2. jupyter nbconvert --execute on the installed kernelspec.
  if timeout 180 jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=120 \
    --output "$tmp/$name/nbconvert.ipynb" "$tmp/$name/$name.ipynb" >"$tmp/$name/nbconvert.log" 2>&1; then
    if "$py" "$root/.ci/notebooks_check.py" "$name" "$tmp/$name/nbconvert.ipynb" "$(truth)"; then
      ok "$name: nbconvert --execute"
    else
      bad "$name: nbconvert outputs"
    fi
  else
    tail -n 30 "$tmp/$name/nbconvert.log" >&2
    bad "$name: nbconvert --execute exited non-zero"
  fi
done

echo "notebooks e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
