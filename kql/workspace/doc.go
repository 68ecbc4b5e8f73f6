// Package workspace owns reading and writing a workspace: a folder of tables
// (CSV, JSON lines or Parquet files, with optional Name.schema.json type
// files), its workspace.json settings and its Sentinel watchlists. It turns
// files into kql/table Tables for the executor, lazily and cached, and reports
// every value it could not convert with file, line and column.
//
// The readers are built for speed and memory: CSV and JSON-lines files are
// mapped rather than read onto the heap, and pages are dropped as chunks
// finish, so a table costs its parsed size, not file plus table; the input
// is split into chunks at record boundaries and parsed on all cores, CSV
// chunks straight into the table's columns (rows placed at newline bounds,
// gaps closed in place); repeated strings are interned per column, and a
// string column that repeats enough gets its dictionary encoding
// (table.Column Codes/Dict, in order of first appearance) while it is
// parsed, so the executor's first query does not build it; JSON objects of
// a column share their keys and short values; datetimes go through a
// hand-written ISO 8601 parser.
package workspace
