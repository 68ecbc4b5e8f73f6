#!/usr/bin/env bash
# The engine benchmark: huntbook's embedded KQL engine against pandas and
# DuckDB on the same generated SigninLogs/AuditLogs CSVs, in one run.
#
#   bench/run.sh [--rows 1000000] [--rounds 3] [--runs 3] [--no-readme]
#
# It installs nothing. Prerequisites: Go; Debian's python3-pandas; Node.js
# with @duckdb/node-api installed by `npm ci` in bench/ (package-lock.json).
# Steps: generate the data (reused while the generator is unchanged), answer
# every question once in each engine and check that the answers agree, then
# time loads and questions in rounds (each round: one process per engine,
# one load, one cold and --runs warm runs of each question; engines take
# turns so that other load on the machine hits them alike) and write the
# medians to bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1000000 rounds=3 runs=3 readme=bench/README.md
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --no-readme) readme=""; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Prerequisites: report everything missing at once, with the fix.
missing=0
command -v go >/dev/null || { echo "run.sh: go is not on PATH" >&2; missing=1; }
py=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import pandas' 2>/dev/null; then py="$p"; break; fi
done
[ -n "$py" ] || { echo "run.sh: pandas not found: apt-get install python3-pandas" >&2; missing=1; }
if ! command -v node >/dev/null; then
  echo "run.sh: node is not on PATH: apt-get install nodejs npm" >&2; missing=1
elif ! (cd bench && node -e "import('@duckdb/node-api').catch(() => process.exit(1))"); then
  echo "run.sh: @duckdb/node-api is not installed: (cd bench && npm ci)" >&2; missing=1
fi
[ "$missing" = 0 ] || exit 1

data=bench/data/$rows
out=bench/results/$rows
mkdir -p "$data" "$out" bench/results/bin
go build -o bench/results/bin/gen ./bench/gen
go build -o bench/results/bin/hbrun ./bench/hbrun
go build -o bench/results/bin/compare ./bench/compare

# The data is deterministic: regenerate only when the generator changed.
stamp="rows=$rows gendata=$(git rev-parse HEAD:bench/gendata 2>/dev/null || echo none)"
if [ "$(cat "$data/.stamp" 2>/dev/null)" != "$stamp" ] || ! git diff --quiet -- bench/gendata 2>/dev/null; then
  bench/results/bin/gen -rows "$rows" -out "$data"
  echo "$stamp" > "$data/.stamp"
fi
ls -l "$data"/*.csv

echo "== answers (one load, one run of each question per engine)"
bench/results/bin/hbrun -data "$data" -answers "$out/answers-huntbook.json"
"$py" bench/pandas_bench.py --data "$data" --answers "$out/answers-pandas.json"
node bench/duckdb_bench.mjs --data "$data" --answers "$out/answers-duckdb.json"
bench/results/bin/compare check -results "$out"

echo "== timings ($rounds rounds; each: 1 load, 1 cold and $runs warm runs of each question per engine)"
# The machine may be shared: the report shows how busy it was.
cut -d' ' -f1-3 /proc/loadavg > "$out/loadavg-before"
rm -f "$out"/timings-*.json
rev="$(git rev-parse --short=12 HEAD)"
git diff --quiet HEAD -- kql providers || rev="$rev with uncommitted engine changes"
for r in $(seq 1 "$rounds"); do
  bench/results/bin/hbrun -data "$data" -timings "$out/timings-huntbook-r$r.json" -runs "$runs" -load-runs 1 \
    -version "$(go env GOVERSION), commit $rev${GOMEMLIMIT:+, run with GOMEMLIMIT=$GOMEMLIMIT}"
  "$py" bench/pandas_bench.py --data "$data" --timings "$out/timings-pandas-r$r.json" --runs "$runs" --load-runs 1
  node bench/duckdb_bench.mjs --data "$data" --timings "$out/timings-duckdb-r$r.json" --runs "$runs" --load-runs 1
done
cut -d' ' -f1-3 /proc/loadavg > "$out/loadavg-after"
cmd="bench/run.sh --rows $rows --rounds $rounds --runs $runs"
if [ -n "$readme" ]; then
  bench/results/bin/compare report -results "$out" -data "$data" -readme "$readme" -command "$cmd"
  echo "== wrote $readme"
else
  bench/results/bin/compare report -results "$out" -data "$data" -command "$cmd"
fi
