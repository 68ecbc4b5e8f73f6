#!/usr/bin/env bash
# End-to-end check of the Jupyter kernel with real Jupyter clients:
# jupyter_kernel_test (every test, none skipped), nbconvert --execute on a
# smoke notebook, and jupyter console fed on stdin. It builds nothing:
# `make e2e` builds bin/huntbook first (HUNTBOOK_BIN overrides the path).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$(realpath "${HUNTBOOK_BIN:-bin/huntbook}")
[ -x "$bin" ] || { echo "e2e-kernel: $bin is missing; run 'make build' first" >&2; exit 1; }

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

passed=0
pass() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; echo "kernel e2e: $passed passed, 1 failed"; exit 1; }

# 1. The kernelspec installs where Jupyter looks.
"$bin" install --prefix "$tmp/prefix" --name huntbook
jupyter kernelspec list | tee "$tmp/specs.txt"
grep -q "^ *huntbook " "$tmp/specs.txt" || fail "jupyter kernelspec list does not show huntbook"
grep -q '"interrupt_mode": "message"' "$tmp/prefix/share/jupyter/kernels/huntbook/kernel.json" || fail "kernel.json lacks interrupt_mode"
pass "kernelspec installed"

# 2. jupyter_kernel_test: all tests must run and pass, none skipped.
( cd "$root/.ci" && timeout 300 "$py" -m unittest -v kernel_test ) >"$tmp/kt.txt" 2>&1 || { cat "$tmp/kt.txt"; fail "jupyter_kernel_test"; }
cat "$tmp/kt.txt" | grep -v "^0.00s - " || true
if grep -qiE "skipped|expected failure" "$tmp/kt.txt"; then fail "jupyter_kernel_test skipped tests"; fi
grep -qE "^Ran [1-9][0-9]* tests" "$tmp/kt.txt" || fail "jupyter_kernel_test ran no tests"
pass "jupyter_kernel_test"

# 3. Lifecycle: interrupt by message, restart, shutdown through jupyter_client.
( cd "$root/.ci" && timeout 120 "$py" kernel_lifecycle.py ) >"$tmp/life.txt" 2>&1 || { cat "$tmp/life.txt"; fail "kernel lifecycle"; }
grep -q "lifecycle: interrupt, restart and shutdown ok" "$tmp/life.txt" || { cat "$tmp/life.txt"; fail "kernel lifecycle"; }
grep "interrupted in" "$tmp/life.txt" || true
pass "interrupt (idle and a long KQL query), restart and shutdown"

# 4. nbconvert executes the smoke notebook; check what each cell produced.
cp kernel/testdata/smoke.ipynb "$tmp/smoke.ipynb"
timeout 300 jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=60 \
  --output "$tmp/smoke.out.ipynb" "$tmp/smoke.ipynb" || fail "nbconvert --execute"
"$py" - "$tmp/smoke.out.ipynb" <<'EOF' || fail "nbconvert outputs"
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
code = [c for c in nb.cells if c.cell_type == "code"]
def text(c, name):
    return "".join(o.get("text", "") for o in c.outputs if o.output_type == "stream" and o.name == name)
checks = [
    ("stdout", text(code[0], "stdout") == "hello from huntbook\n"),
    ("stderr", text(code[1], "stderr") == "a warning\n"),
    ("markdown", any(o.output_type == "display_data" and "# Hunt notes" in o.data.get("text/markdown", "") for o in code[2].outputs)),
    ("lsmagic", any(o.output_type == "execute_result" and "%echo" in o.data["text/plain"] for o in code[3].outputs)),
    ("time", "timed" in text(code[4], "stdout") and "Wall time:" in text(code[4], "stdout")),
    ("error", any(o.output_type == "error" and o.ename == "UnknownMagic" for o in code[5].outputs)),
    ("history", "1: %echo hello from huntbook" in text(code[6], "stdout")),
    ("timerange", text(code[7], "stdout").startswith("start = ")),
    ("kql html table", any(o.output_type == "execute_result" and '<table class="huntbook-table">' in o.data.get("text/html", "")
                           and "UserPrincipalName" in o.data["text/html"] and "Failures" in o.data.get("text/plain", "")
                           for o in code[8].outputs)),
    ("%%kql", any(o.output_type == "execute_result" and o.data.get("text/plain", "").strip().isdigit()
                  and int(o.data["text/plain"]) > 0 for o in code[9].outputs)),
    ("chart", any(o.output_type == "execute_result" and o.data.get("image/png") and "<svg" in o.data.get("image/svg+xml", "")
                  and "text/html" not in o.data for o in code[10].outputs)),
    ("counts", [c.execution_count for c in code] == list(range(1, len(code) + 1))),
]
bad = [name for name, ok in checks if not ok]
if bad:
    print("nbconvert: wrong outputs for", bad)
    for c in code:
        print(c.source, "->", c.outputs)
    sys.exit(1)
EOF
pass "nbconvert --execute"

# 5. jupyter console, non-interactive: lines on stdin, answers on stdout.
printf '%%echo hello console\n%%lsmagic\n%%echo --stderr careful\nprint greeting = strcat("hello ", "kql")\nSigninLogs | take 2 | project UserPrincipalName\nSigninLogs | where NoSuchColumn == 1\n' |
  timeout 120 jupyter console --kernel huntbook --simple-prompt >"$tmp/console.txt" 2>&1 || { cat "$tmp/console.txt"; fail "jupyter console"; }
cat "$tmp/console.txt"
for want in "hello console" "Line magics:" "careful" "hello kql" "UserPrincipalName" "(2 rows" "unknown column or variable 'NoSuchColumn'"; do
  grep -qF "$want" "$tmp/console.txt" || fail "jupyter console output lacks '$want'"
done
pass "jupyter console"

echo "kernel e2e: $passed passed, 0 failed"
