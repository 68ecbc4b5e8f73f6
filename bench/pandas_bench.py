#!/usr/bin/python3
"""pandas side of the huntbook engine benchmark (see run.sh).

Loads a bench/gen workspace with pandas.read_csv and answers the questions
in bench/questions, one function per question, named as the .kql files.

  pandas_bench.py --data DIR --answers FILE
  pandas_bench.py --data DIR --timings FILE --runs 5 --load-runs 3

The code is what a hunter would write in a notebook: plain, idiomatic
pandas. Dynamic (JSON) columns stay text at load and are parsed where a
question needs them, as is usual in pandas.
"""
import argparse
import gc
import json
import os
import sys
import time

import numpy as np
import pandas as pd

TABLES = ["SigninLogs", "AuditLogs"]


def load_table(data, name):
    with open(os.path.join(data, name + ".schema.json")) as f:
        props = json.load(f)["Properties"]
    dtype = {}
    times = []
    for p in props:
        if p["Type"] == "datetime":
            times.append(p["Name"])
        elif p["Type"] == "bool":
            dtype[p["Name"]] = bool
        else:
            dtype[p["Name"]] = str
    # keep_default_na=False: an empty field is an empty string, as in Kusto.
    df = pd.read_csv(os.path.join(data, name + ".csv"), dtype=dtype, keep_default_na=False)
    for c in times:
        df[c] = pd.to_datetime(df[c], format="%Y-%m-%dT%H:%M:%S.%fZ", utc=True)
    return df


def top_failing_users(t):
    s = t["SigninLogs"]
    g = s[s.ResultType != "0"].groupby("UserPrincipalName").size().reset_index(name="Failures")
    return g.sort_values(["Failures", "UserPrincipalName"], ascending=[False, True]).head(10)


def distinct_ips_per_user(t):
    g = t["SigninLogs"].groupby("UserPrincipalName")["IPAddress"]
    return pd.DataFrame({"DistinctIPs": g.nunique(), "IPs": g.unique()}).reset_index()


def hourly_password_has(t):
    s = t["SigninLogs"]
    # Kusto's has is a case-insensitive whole-term match.
    m = s.ResultDescription.str.contains(r"\bpassword\b", case=False, regex=True)
    h = s.loc[m, "TimeGenerated"].dt.floor("h")
    return h.value_counts(sort=False).rename_axis("TimeGenerated").reset_index(name="Count")


def device_os_counts(t):
    s = t["SigninLogs"]
    os_ = s.DeviceDetail.map(lambda d: json.loads(d).get("operatingSystem", ""))
    return os_.value_counts(sort=False).rename_axis("OperatingSystem").reset_index(name="Count")


def failures_join_audit(t):
    s = t["SigninLogs"]
    f = s.loc[s.ResultType != "0", ["CorrelationId"]]
    a = t["AuditLogs"][["CorrelationId", "OperationName", "Result"]]
    j = f.merge(a, on="CorrelationId", how="inner")
    return j.groupby(["OperationName", "Result"]).size().reset_index(name="Events")


def last_signin_per_user(t):
    s = t["SigninLogs"]
    idx = s.groupby("UserPrincipalName")["TimeGenerated"].idxmax()
    return s.loc[idx, ["UserPrincipalName", "TimeGenerated", "IPAddress", "AppDisplayName", "ResultType"]]


QUESTIONS = [top_failing_users, distinct_ips_per_user, hourly_password_has,
             device_os_counts, failures_join_audit, last_signin_per_user]


def cell(v):
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, (np.ndarray, list)):
        return [cell(x) for x in v]
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def answer(df):
    return {"columns": [str(c) for c in df.columns],
            "rows": [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)]}


def peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def load_all(data):
    t, ms = {}, {}
    for name in TABLES:
        start = time.perf_counter()
        t[name] = load_table(data, name)
        ms[name] = (time.perf_counter() - start) * 1000
    return t, ms


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--answers")
    mode.add_argument("--timings")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--load-runs", type=int, default=1)
    ap.add_argument("--q", help="run only this question")
    a = ap.parse_args()
    qs = [q for q in QUESTIONS if not a.q or q.__name__ == a.q]
    if not qs:
        sys.exit("pandas_bench: no question named %r" % a.q)

    if a.answers:
        t, _ = load_all(a.data)
        out = {"engine": "pandas", "answers": {}, "rss_after_load": peak_rss()}
        for q in qs:
            out["answers"][q.__name__] = answer(q(t))
        out["rss_peak"] = peak_rss()
        with open(a.answers, "w") as f:
            json.dump(out, f)
        return

    out = {"engine": "pandas", "version": "pandas %s, numpy %s, python %s" % (
        pd.__version__, np.__version__, sys.version.split()[0]), "load_ms": {}, "questions_ms": {}}
    t = None
    for _ in range(max(1, a.load_runs)):
        t = None  # drop the previous load before timing the next
        gc.collect()
        t, ms = load_all(a.data)
        for k, v in ms.items():
            out["load_ms"].setdefault(k, []).append(v)
        print("pandas: load", ms, file=sys.stderr)
    out["first_ms"] = {}
    for q in qs:
        runs = []
        for _ in range(1 + a.runs):
            gc.collect()
            start = time.perf_counter()
            q(t)
            runs.append((time.perf_counter() - start) * 1000)
        out["first_ms"][q.__name__] = runs[:1]
        out["questions_ms"][q.__name__] = runs[1:]
        print("pandas:", q.__name__, "first %.1f then" % runs[0], ["%.1f" % r for r in runs[1:]], "ms", file=sys.stderr)
    with open(a.timings, "w") as f:
        json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
