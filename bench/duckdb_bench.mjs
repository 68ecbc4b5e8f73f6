// DuckDB side of the huntbook engine benchmark (see run.sh): loads a
// bench/gen workspace with read_csv into in-memory tables and runs the SQL
// in bench/questions.
//
//   node duckdb_bench.mjs --data DIR --answers FILE
//   node duckdb_bench.mjs --data DIR --timings FILE --runs 5 --load-runs 3
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const TABLES = ['SigninLogs', 'AuditLogs'];
// Report order, as bench/questions/questions.go lists them.
const QUESTIONS = ['top_failing_users', 'distinct_ips_per_user', 'hourly_password_has',
  'device_os_counts', 'failures_join_audit', 'last_signin_per_user'];
const TYPES = { datetime: 'TIMESTAMP', string: 'VARCHAR', dynamic: 'JSON', bool: 'BOOLEAN', long: 'BIGINT', real: 'DOUBLE' };

const { values: a } = parseArgs({
  options: {
    data: { type: 'string' }, answers: { type: 'string' }, timings: { type: 'string' },
    runs: { type: 'string', default: '5' }, 'load-runs': { type: 'string', default: '1' }, q: { type: 'string' },
  },
});
if (!a.data || !a.answers === !a.timings) {
  console.error('usage: duckdb_bench.mjs --data DIR (--answers FILE | --timings FILE [--runs N] [--load-runs N])');
  process.exit(2);
}
const questions = QUESTIONS.filter((q) => !a.q || q === a.q);
if (questions.length === 0) {
  console.error(`duckdb_bench: no question named ${a.q}`);
  process.exit(2);
}
const sql = Object.fromEntries(questions.map((q) => [q, readFileSync(join(here, 'questions', q + '.sql'), 'utf8')]));

function sqlString(s) { return "'" + s.replaceAll("'", "''") + "'"; }

function loadSQL(name) {
  const props = JSON.parse(readFileSync(join(a.data, name + '.schema.json'), 'utf8')).Properties;
  const cols = props.map((p) => {
    const t = TYPES[p.Type];
    if (!t) throw new Error(`${name}.schema.json: no DuckDB type for ${p.Name}: ${p.Type}`);
    return `${sqlString(p.Name)}: ${sqlString(t)}`;
  });
  // nullstr: an empty field is an empty string, as in Kusto.
  return `CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_csv(${sqlString(join(a.data, name + '.csv'))}, ` +
    `header = true, auto_detect = false, nullstr = '\\N', columns = {${cols.join(', ')}})`;
}

async function loadAll(conn) {
  const ms = {};
  for (const name of TABLES) {
    const start = performance.now();
    await conn.run(loadSQL(name));
    ms[name] = performance.now() - start;
  }
  return ms;
}

function peakRSS() {
  const m = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
  if (!m) throw new Error('no VmHWM in /proc/self/status');
  return Number(m[1]) * 1024;
}

const inst = await DuckDBInstance.create(':memory:');
if (a.answers) {
  const conn = await inst.connect();
  await loadAll(conn);
  const out = { engine: 'duckdb', answers: {}, rss_after_load: peakRSS() };
  for (const q of questions) {
    const r = await conn.runAndReadAll(sql[q]);
    out.answers[q] = { columns: r.columnNames(), rows: r.getRowsJson() };
  }
  out.rss_peak = peakRSS();
  writeFileSync(a.answers, JSON.stringify(out));
} else {
  const version = (await (await inst.connect()).runAndReadAll('SELECT version()')).getRows()[0][0];
  const out = { engine: 'duckdb', version: `DuckDB ${version}, node ${process.version}`, load_ms: {}, questions_ms: {} };
  let conn;
  for (let i = 0; i < Math.max(1, Number(a['load-runs'])); i++) {
    conn = await inst.connect();
    const ms = await loadAll(conn); // CREATE OR REPLACE drops the previous copy
    for (const [k, v] of Object.entries(ms)) (out.load_ms[k] ??= []).push(v);
    console.error('duckdb: load', ms);
  }
  out.first_ms = {};
  for (const q of questions) {
    const runs = [];
    for (let i = 0; i < 1 + Number(a.runs); i++) {
      const start = performance.now();
      await conn.run(sql[q]); // a materialized result: the query has run in full
      runs.push(performance.now() - start);
    }
    out.first_ms[q] = runs.slice(0, 1);
    out.questions_ms[q] = runs.slice(1);
    console.error('duckdb:', q, 'first', runs[0].toFixed(1), 'then', runs.slice(1).map((r) => r.toFixed(1)), 'ms');
  }
  writeFileSync(a.timings, JSON.stringify(out, null, 2));
}
