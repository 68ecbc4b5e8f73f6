package workspace

import (
	"compress/gzip"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

// The Log Analytics portal's "Export to CSV" as analysts bring it: header
// suffixes naming the zone, datetimes in the browser's locale.
func TestPortalExport(t *testing.T) {
	tests := []struct {
		name      string
		settings  string // workspace.json, if any
		csv       string
		want      []string // TimeGenerated per row, RFC 3339 ("" for null)
		notes     []string // substrings, one per expected note, in order
		badValues int
	}{
		{
			name: "en-US, UTC",
			csv: "\"TimeGenerated [UTC]\",Account\n" +
				"\"2/25/2026, 9:19:25.391 PM\",a\n\"2/3/2026, 12:00:00.000 AM\",b\n",
			want: []string{"2026-02-25T21:19:25.391Z", "2026-02-03T00:00:00Z"},
		},
		{
			name: "en-GB, decided by a day over 12",
			csv: "\"TimeGenerated [UTC]\",Account\n" +
				"\"03/02/2026, 09:19:25.391\",a\n\"25/02/2026, 21:00:00.000\",b\n",
			want:  []string{"2026-02-03T09:19:25.391Z", "2026-02-25T21:00:00Z"},
			notes: []string{"column TimeGenerated: dates read day-first"},
		},
		{
			name: "ambiguous: month-first, said so",
			csv: "\"TimeGenerated [UTC]\",Account\n" +
				"\"03/02/2026, 09:19:25\",a\n",
			want:  []string{"2026-03-02T09:19:25Z"},
			notes: []string{`dates such as 02/03/2026 read month-first (Kusto's order); if the export is day-first, set "dateOrder": "DMY"`},
		},
		{
			name:     "day-first forced",
			settings: `{"dateOrder": "dmy"}`,
			csv: "\"TimeGenerated [UTC]\",Account\n" +
				"\"03/02/2026, 09:19:25\",a\n",
			want: []string{"2026-02-03T09:19:25Z"},
		},
		{
			name: "mixed orders: month-first, the misfits reported",
			csv: "\"TimeGenerated [UTC]\",Account\n" +
				"\"02/25/2026 09:00\",a\n\"25/02/2026 09:00\",b\n",
			want:      []string{"2026-02-25T09:00:00Z", ""},
			notes:     []string{"mixes day-first and month-first dates"},
			badValues: 1,
		},
		{
			name: "de-DE dots",
			csv: "\"TimeGenerated [UTC]\",Account\n" +
				"\"25.2.2026, 09:19:25,391\",a\n",
			want: []string{"2026-02-25T09:19:25.391Z"},
		},
		{
			name:     "local time in a named zone, across a DST change",
			settings: `{"timeZone": "America/New_York"}`,
			csv: "\"TimeGenerated [Local Time]\",Account\n" +
				"\"3/7/2026, 9:00:00.000 AM\",a\n\"3/9/2026, 9:00:00.000 AM\",b\n,c\n",
			want: []string{"2026-03-07T14:00:00Z", "2026-03-09T13:00:00Z", ""},
			notes: []string{
				`dates such as 02/03/2026 read month-first`,
				`column TimeGenerated is in local time ("[Local Time]" in the header): read as America/New_York (workspace.json timeZone) and converted to UTC`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"SigninLogs.csv": tc.csv}
			if tc.settings != "" {
				files["workspace.json"] = tc.settings
			}
			writeFiles(t, dir, files)
			w, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			tbl, rep, err := w.Load(context.Background(), "SigninLogs")
			if err != nil {
				t.Fatal(err)
			}
			// The suffix is the portal's decoration: the values land in the
			// schema's column, and no "TimeGenerated [UTC]" column appears.
			for _, c := range tbl.Columns {
				if strings.Contains(c.Name, "[") {
					t.Errorf("column %q kept the export's suffix", c.Name)
				}
			}
			col := tbl.Column("TimeGenerated")
			if col == nil || col.Type != types.DateTime {
				t.Fatalf("TimeGenerated = %+v", col)
			}
			if col.Len() != len(tc.want) {
				t.Fatalf("rows = %d, want %d", col.Len(), len(tc.want))
			}
			for i, want := range tc.want {
				v := col.Value(i)
				got := ""
				if !v.IsNull() {
					got = types.TicksToTime(v.I).Format(time.RFC3339Nano)
				}
				if got != want {
					t.Errorf("row %d: TimeGenerated = %q, want %q", i, got, want)
				}
			}
			if rep.BadValues != tc.badValues {
				t.Errorf("bad values = %d, want %d (%s)", rep.BadValues, tc.badValues, rep.Summary())
			}
			if len(rep.Notes) != len(tc.notes) {
				t.Fatalf("notes = %q, want %d", rep.Notes, len(tc.notes))
			}
			for i, n := range tc.notes {
				if !strings.Contains(rep.Notes[i], n) || !strings.HasPrefix(rep.Notes[i], "SigninLogs.csv: ") {
					t.Errorf("note %d = %q, want SigninLogs.csv: ...%s...", i, rep.Notes[i], n)
				}
			}
		})
	}
}

// An exported column no schema declares is typed from its values in either
// order, then read in the order they show.
func TestPortalExportInferred(t *testing.T) {
	tbl, rep, err := ReadCSV(strings.NewReader("\"Seen [UTC]\",N\n\"16/07/2026 20:26:12.030\",1\n\"03/07/2026 08:00:00.000\",2\n"), "X.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := tbl.Column("Seen")
	if c == nil || c.Type != types.DateTime {
		t.Fatalf("Seen = %+v (schema %s)", c, tbl.Schema())
	}
	if got := types.TicksToTime(c.Value(1).I); !got.Equal(time.Date(2026, 7, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("row 2 = %v, want 3 July", got)
	}
	if rep.BadValues != 0 {
		t.Errorf("bad values: %s", rep.Summary())
	}
}

func TestWallToUTC(t *testing.T) {
	lon, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	tests := []struct{ wall, want string }{
		{"2026-01-15T12:00:00Z", "2026-01-15T12:00:00Z"},     // GMT
		{"2026-07-15T12:00:00.5Z", "2026-07-15T11:00:00.5Z"}, // BST
		{"2026-10-25T01:30:00Z", "2026-10-25T00:30:00Z"},     // the hour that repeats: the first of the two
		{"2026-03-29T01:30:00Z", "2026-03-29T01:30:00Z"},     // the hour that does not exist: time.Date's reading
	}
	for _, tc := range tests {
		w, _ := time.Parse(time.RFC3339Nano, tc.wall)
		got := types.TicksToTime(wallToUTC(types.TimeToTicks(w), lon)).Format(time.RFC3339Nano)
		if got != tc.want {
			t.Errorf("wallToUTC(%s) = %s, want %s", tc.wall, got, tc.want)
		}
	}
}

// The portal saves every export as query_data.csv: the Type column names
// the table, and the note says how to make it that table.
func TestMisnamedExport(t *testing.T) {
	tests := []struct{ file, body, want string }{
		{"query_data.csv", "UserPrincipalName,Type\na@contoso.com,SigninLogs\n",
			"query_data.csv: its Type column says the rows are SigninLogs rows; name the file SigninLogs.csv to query them as SigninLogs, with its schema"},
		{"query_data (1).csv.gz", "", // gzip body written below
			"query_data (1).csv.gz: its Type column says the rows are AuditLogs rows; name the file AuditLogs.csv.gz to query them as AuditLogs, with its schema"},
		{"mine.csv", "Type\nNotATable\n", ""},
		{"Custom_CL.csv", "Type\nCustom_CL\n", ""},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		body := tc.body
		if strings.HasSuffix(tc.file, ".gz") {
			var b strings.Builder
			zw := gzip.NewWriter(&b)
			zw.Write([]byte("Type,OperationName\nAuditLogs,Add user\n"))
			zw.Close()
			body = b.String()
		}
		writeFiles(t, dir, map[string]string{tc.file: body})
		w, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		name := w.Tables()[0]
		_, rep, err := w.Load(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(rep.Notes, "\n")
		if got != tc.want {
			t.Errorf("%s: notes = %q, want %q", tc.file, got, tc.want)
		}
	}
}
