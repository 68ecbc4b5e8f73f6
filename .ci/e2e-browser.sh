#!/usr/bin/env bash
# Browser check: the classic Notebook server on 127.0.0.1 (token auth) with
# the huntbook kernel, a notebook opened in headless Chromium, a KQL cell run
# from the page, and the HTML result table checked in the DOM
# (.ci/kernel_browser.py drives Chromium over the DevTools protocol). The
# screenshot is kept in out/ci-artifacts/browser-kql.png. Builds nothing:
# `make e2e` builds bin/huntbook first (HUNTBOOK_BIN overrides the path).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$(realpath "${HUNTBOOK_BIN:-bin/huntbook}")
[ -x "$bin" ] || { echo "e2e-browser: $bin is missing; run 'make build' first" >&2; exit 1; }
export PATH="/usr/bin:$PATH"
py=/usr/bin/python3
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "e2e-browser: chromium is not installed (see .ci/debian-packages)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export JUPYTER_PATH="$tmp/prefix/share/jupyter"
export JUPYTER_DATA_DIR="$tmp/data" JUPYTER_RUNTIME_DIR="$tmp/runtime" JUPYTER_CONFIG_DIR="$tmp/config"
export IPYTHONDIR="$tmp/ipython"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$tmp/nb" "$root/out/ci-artifacts"
"$bin" install --prefix "$tmp/prefix" --name huntbook >/dev/null

fail() { echo "FAIL: $*" >&2; echo "browser e2e: 0 passed, 1 failed"; exit 1; }
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

"$py" - "$tmp/nb/hunt.ipynb" <<'EOF'
import sys, nbformat
nb = nbformat.v4.new_notebook()
nb.metadata = {"kernelspec": {"name": "huntbook", "display_name": "KQL (huntbook)", "language": "kql"},
               "language_info": {"name": "kql"}}
nb.cells = [
    nbformat.v4.new_markdown_cell("Browser check: a KQL cell on the built-in sample tenant."),
    nbformat.v4.new_code_cell("SigninLogs\n| summarize SignIns = count() by AppDisplayName\n| top 5 by SignIns"),
]
nbformat.write(nb, sys.argv[1])
EOF

token=$("$py" -c 'import secrets; print(secrets.token_hex(16))')
nbport=$(free_port)
root_flag=()
[ "$(id -u)" = 0 ] && root_flag=(--allow-root) # CI containers run as root
jupyter-notebook --no-browser --ip=127.0.0.1 --port="$nbport" --port-retries=0 "${root_flag[@]}" \
  --NotebookApp.token="$token" --notebook-dir="$tmp/nb" >"$tmp/server.log" 2>&1 &
pids+=($!)
"$py" - "http://127.0.0.1:$nbport/api/status?token=$token" <<'EOF' || { cat "$tmp/server.log"; fail "the Notebook server did not start"; }
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2).read()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
EOF

devport=$(free_port)
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$tmp/chromium" \
  --remote-debugging-address=127.0.0.1 --remote-debugging-port="$devport" --window-size=1280,900 \
  about:blank >"$tmp/chromium.log" 2>&1 &
pids+=($!)

shot="$root/out/ci-artifacts/browser-kql.png"
timeout 150 "$py" .ci/kernel_browser.py "$devport" "http://127.0.0.1:$nbport/notebooks/hunt.ipynb?token=$token" "$shot" \
  >"$tmp/browser.txt" 2>&1 || { cat "$tmp/browser.txt"; tail -20 "$tmp/server.log"; fail "KQL table in the browser"; }
cat "$tmp/browser.txt"
[ -s "$shot" ] || fail "no screenshot"
echo "ok: KQL cell run in headless Chromium; screenshot in out/ci-artifacts/browser-kql.png"
echo "browser e2e: 1 passed, 0 failed"
