"""Checks an executed guided notebook (from huntbook run or nbconvert).

Usage: notebooks_check.py NAME EXECUTED.ipynb GROUND_TRUTH.json

Every code cell but the parameters cell must have produced a table
(text/html) or a picture (image/png); no cell may hold an error; a cell
that ends in `| render KIND` (KIND not table) must have drawn a picture
unless HUNTBOOK_E2E_CHARTS=0; and the last code cell (Findings) must name
the planted entities of the stories the notebook is written to find, read
from the sample tenant's ground_truth.json. Prints one line per problem and
exits 1 if there is any.
"""
import html
import json
import os
import re
import sys

# What each shipped notebook must find: story id -> entity kinds whose name
# or id the findings cell must contain. A shipped notebook missing here
# fails, so a new notebook comes with its expectation.
EXPECT = {
    "information-protection-label-activity": {
        # the bulk changes name the account; the risky sign-in before them, its address
        "S2-insider-label-downgrade": ["account", "ip"],
    },
    "impossible-travel": {
        # the one-day visits that acted: the takeover's and the insider's VPN
        # addresses, and the sprayed account (its three spray addresses are
        # not all sign-ins)
        "S1-account-takeover": ["account", "ip"],
        "S2-insider-label-downgrade": ["account", "ip"],
        "S4-password-spray": ["account"],
    },
    "password-spray": {
        # the three spraying addresses and the account whose password worked
        "S4-password-spray": ["ip", "account"],
    },
    "incident-triage": {
        "S1-account-takeover": ["account", "ip", "application"],
    },
    "shadow-it-discovery": {
        "S2-insider-label-downgrade": ["account", "application"],
    },
    "purview-data-sensitivity": {
        "S3-service-principal-owner": ["account", "servicePrincipal", "resource", "ip"],
        "S5-peer-anomaly-key-vault": ["account", "resource"],
    },
    "ueba-anomalous-signins": {
        "S1-account-takeover": ["account", "ip"],
    },
    "user-security-metadata": {
        "S5-peer-anomaly-key-vault": ["account", "resource"],
    },
}

# Notebooks whose findings must name no account outside the stories they are
# written to find (precision, not only recall): a trip or a user mistyping
# a password is not a finding.
ONLY_STORY_ACCOUNTS = {"impossible-travel", "password-spray"}
ACCOUNT = re.compile(r"[\w.+-]+@contoso\.com")

RENDER = re.compile(r"\|\s*render\s+(\w+)")


def source(cell):
    s = cell.get("source", "")
    return s if isinstance(s, str) else "".join(s)


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def output_text(cell):
    """All text a cell showed: plain text, HTML without markup, JSON tables, streams."""
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            t = o.get("text", "")
            parts.append(t if isinstance(t, str) else "".join(t))
            continue
        data = o.get("data", {})
        for mime in ("text/plain", "text/html", "text/markdown"):
            t = data.get(mime, "")
            t = t if isinstance(t, str) else "".join(t)
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", t)) if mime == "text/html" else t)
        if "application/json" in data:
            parts.append(json.dumps(data["application/json"], ensure_ascii=False))
    return "\n".join(parts)


def check(name, nb, truth, charts):
    problems = []
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    if not code:
        return ["no code cells"]
    for i, c in enumerate(code, 1):
        where = "cell %d (%s)" % (i, source(c).strip().splitlines()[0][:60] if source(c).strip() else "empty")
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                problems.append("%s: error %s: %s" % (where, o.get("ename"), o.get("evalue")))
        if "parameters" in tags(c) or "injected-parameters" in tags(c):
            continue
        mimes = set()
        for o in c.get("outputs", []):
            mimes.update(o.get("data", {}).keys())
        if not mimes & {"text/html", "image/png"}:
            problems.append("%s: no table or picture (outputs: %s)" % (where, sorted(mimes) or "none"))
        m = RENDER.search(source(c))
        if charts and m and m.group(1) != "table":
            if "image/png" not in mimes:
                why = re.search(r"chart failed[^)]*", output_text(c))
                problems.append("%s: render %s drew no picture%s" % (where, m.group(1), ": " + why.group(0) if why else ""))
    if name not in EXPECT:
        problems.append("no expected findings listed for %s in notebooks_check.py" % name)
        return problems
    findings = output_text(code[-1])
    stories = {s["id"]: s for s in truth["stories"]}
    for sid, kinds in EXPECT[name].items():
        if sid not in stories:
            problems.append("ground truth has no story %s" % sid)
            continue
        for kind in kinds:
            ents = [e for e in stories[sid]["entities"] if e["kind"] == kind]
            if not ents:
                problems.append("%s has no %s entity" % (sid, kind))
            for e in ents:
                names = [v for v in (e.get("name"), e.get("id")) if v]
                if not any(v.lower() in findings.lower() for v in names):
                    problems.append("findings do not name %s %s of %s" % (kind, " / ".join(names), sid))
    if name in ONLY_STORY_ACCOUNTS:
        allowed = {e["name"].lower() for sid in EXPECT[name] if sid in stories
                   for e in stories[sid]["entities"] if e["kind"] == "account"}
        for acct in sorted({a.lower() for a in ACCOUNT.findall(findings)} - allowed):
            problems.append("findings name %s, who is in none of the stories %s" % (acct, ", ".join(EXPECT[name])))
    return problems


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: notebooks_check.py NAME EXECUTED.ipynb GROUND_TRUTH.json")
    name, path, truth_path = sys.argv[1:]
    with open(path) as f:
        nb = json.load(f)
    with open(truth_path) as f:
        truth = json.load(f)
    charts = os.environ.get("HUNTBOOK_E2E_CHARTS", "1") != "0"
    problems = check(name, nb, truth, charts)
    for p in problems:
        print("%s: %s" % (path, p))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
