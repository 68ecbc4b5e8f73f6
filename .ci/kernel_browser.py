"""Drives headless Chromium over the Chrome DevTools protocol: opens a
notebook in the classic Notebook server, runs every cell in the page (the
browser talks to the kernel through the server, as a user's would), waits for
the KQL result's HTML table, and saves a screenshot.

usage: kernel_browser.py DEVTOOLS_PORT NOTEBOOK_URL SCREENSHOT
Exits non-zero with a reason when the table does not appear.
"""

import base64
import itertools
import json
import sys
import time
import urllib.request

import websocket  # Debian python3-websocket

_ids = itertools.count(1)


def call(ws, method, **params):
    mid = next(_ids)
    ws.send(json.dumps({"id": mid, "method": method, "params": params}))
    while True:
        msg = json.loads(ws.recv())
        if msg.get("id") == mid:
            if "error" in msg:
                raise RuntimeError(f"{method}: {msg['error']}")
            return msg.get("result", {})


def evaluate(ws, expr):
    r = call(ws, "Runtime.evaluate", expression=expr, returnByValue=True)
    if "exceptionDetails" in r:
        return None
    return r["result"].get("value")


def wait_for(ws, expr, what, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = evaluate(ws, expr)
        if v:
            return v
        time.sleep(0.25)
    sys.exit(f"browser: timed out after {timeout}s waiting for {what}")


def page_socket(port):
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("browser: Chromium's DevTools endpoint never came up")
        time.sleep(0.2)


def main():
    port, url, shot = sys.argv[1], sys.argv[2], sys.argv[3]
    ws = websocket.create_connection(page_socket(port), timeout=30, suppress_origin=True)
    call(ws, "Page.enable")
    call(ws, "Runtime.enable")
    call(ws, "Page.navigate", url=url)
    wait_for(ws, "typeof Jupyter !== 'undefined' && !!Jupyter.notebook && !!Jupyter.notebook.kernel"
                 " && Jupyter.notebook.kernel.is_connected()", "the notebook's kernel to connect", 60)
    evaluate(ws, "Jupyter.notebook.execute_all_cells(); true")
    text = wait_for(ws, "(() => { const t = document.querySelector('.output_area table.huntbook-table');"
                        " return t ? t.innerText : ''; })()", "the KQL result table", 60)
    footer = evaluate(ws, "(() => { const p = document.querySelector('.output_area .huntbook-result p');"
                          " return p ? p.innerText : ''; })()") or ""
    errors = evaluate(ws, "document.querySelectorAll('.output_area .output_error').length")
    shot_data = call(ws, "Page.captureScreenshot", format="png")["data"]
    with open(shot, "wb") as f:
        f.write(base64.b64decode(shot_data))
    ws.close()
    print("browser: table:", " | ".join(text.split("\n")[:3]))
    print("browser: footer:", footer)
    if "SignIns" not in text or "rows" not in footer:
        sys.exit("browser: the table does not hold the query's result")
    if errors:
        sys.exit(f"browser: {errors} cell(s) showed an error")
    print("browser: KQL table rendered")


if __name__ == "__main__":
    main()
