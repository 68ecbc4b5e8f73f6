// Package workspace owns reading and writing a workspace: a folder of tables
// (CSV, JSON lines or Parquet files, with optional Name.schema.json type
// files), its workspace.json settings and its Sentinel watchlists. It turns
// files into kql/table Tables for the executor, lazily and cached, and reports
// every value it could not convert with file, line and column.
//
// The readers are built for speed: the input is split into chunks at record
// boundaries and parsed on all cores, repeated strings are interned per
// column, and datetimes go through a hand-written ISO 8601 parser.
package workspace
