package workspace

import (
	"fmt"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// What the Log Analytics portal's "Export to CSV" writes, which is how most
// analysts take logs offline: headers carry the time zone the portal showed
// ("TimeGenerated [UTC]", or "TimeGenerated [Local Time]" when the analyst
// displays local time), and datetimes are written in the browser's locale
// (11/22/2026, 10:15:30.123 AM; 22/11/2026, 10:15:30.123; 22.11.2026 ...).

// Header suffixes of the portal's export, and whether the values are local.
var exportSuffixes = []struct {
	suffix string
	local  bool
}{
	{" [UTC]", false},
	{" [Local Time]", true},
}

// exportedName is the column a header names: "TimeGenerated [UTC]" is
// TimeGenerated. local reports a "[Local Time]" column.
func exportedName(h string) (name string, local bool) {
	for _, s := range exportSuffixes {
		if len(h) > len(s.suffix) && strings.EqualFold(h[len(h)-len(s.suffix):], s.suffix) {
			return strings.TrimSpace(h[:len(h)-len(s.suffix)]), s.local
		}
	}
	return h, false
}

// Date orders a workspace.json "dateOrder" can force.
const (
	dateOrderAuto = ""
	dateOrderMDY  = "MDY"
	dateOrderDMY  = "DMY"
)

// chooseDateOrders sets each datetime column's order of day and month for
// slashed dates. A forced order (workspace.json) wins; otherwise the first
// records decide: 25/02/2026 can only be day-first, 02/25/2026 only
// month-first. With no telling value the column is read month-first, as
// Kusto reads 01/02/2026, and the report says so.
func chooseDateOrders(body []byte, start, line int, p *csvPlan, o readOptions, rep *LoadReport) {
	var cols []int
	for c, col := range p.cols {
		if col.Type == types.DateTime && p.inFile[c] {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return
	}
	if o.dateOrder != dateOrderAuto {
		for _, c := range cols {
			p.dayFirst[c] = o.dateOrder == dateOrderDMY
		}
		return
	}
	type evidence struct{ slashed, dayFirst, monthFirst int }
	ev := make([]evidence, len(p.cols))
	fieldIdx := make([]int, len(cols)) // each column's field, found once
	for k, c := range cols {
		fieldIdx[k] = fieldOf(p, c)
	}
	s := &csvScanner{data: body, pos: start, line: line}
	for n := 0; n < sampleRows; n++ {
		fields, _, ok := s.next()
		if !ok {
			break
		}
		for k, c := range cols {
			j := fieldIdx[k]
			if j < 0 || j >= len(fields) {
				continue
			}
			f := trimSpace(fields[j])
			if len(f) < 3 || !(f[1] == '/' || f[2] == '/') {
				continue
			}
			ev[c].slashed++
			d, m := slashedOrder(f)
			if d {
				ev[c].dayFirst++
			}
			if m {
				ev[c].monthFirst++
			}
		}
	}
	for _, c := range cols {
		e, name := ev[c], p.cols[c].Name
		switch {
		case e.slashed == 0:
		case e.dayFirst > 0 && e.monthFirst == 0:
			p.dayFirst[c] = true
			rep.Notes = append(rep.Notes, fmt.Sprintf(
				"%s: column %s: dates read day-first (25/02/2026), as the first rows show", p.src, name))
		case e.dayFirst > 0:
			rep.Notes = append(rep.Notes, fmt.Sprintf(
				"%s: column %s mixes day-first and month-first dates in its first rows; read month-first, and the values that do not fit are reported", p.src, name))
		case e.monthFirst == 0:
			rep.Notes = append(rep.Notes, fmt.Sprintf(
				`%s: column %s: dates such as 02/03/2026 read month-first (Kusto's order); if the export is day-first, set "dateOrder": "DMY" in workspace.json`, p.src, name))
		}
	}
}

// convertLocalTimes turns the "[Local Time]" datetime columns from wall
// clock in the export's zone (workspace.json "timeZone", else this
// machine's) into UTC, the only time Kusto knows, and says which zone it
// took: the file itself does not say.
func convertLocalTimes(t *table.Table, p *csvPlan, o readOptions, rep *LoadReport) {
	loc, from := o.zone, o.zoneFrom
	if loc == nil {
		// "Local" says nothing: name the zone and its offset now
		loc, from = time.Local, "this machine's time zone, "+time.Now().In(time.Local).Format("MST -07:00")+" now"
	}
	for c, col := range t.Columns {
		if !p.local[c] || col.Type != types.DateTime {
			continue
		}
		for i, v := range col.Ints {
			if col.Nulls == nil || !col.Nulls[i] {
				col.Ints[i] = wallToUTC(v, loc)
			}
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf(
			`%s: column %s is in local time ("[Local Time]" in the header): read as %s (%s) and converted to UTC; set "timeZone" in workspace.json if the export was made in another zone`,
			p.src, col.Name, loc, from))
	}
}

// wallToUTC reads ticks as a wall clock in loc. A wall time the clocks
// pass twice (the hour they go back) is the earlier instant; one they skip
// (the hour they go forward) is read with the offset in force before.
func wallToUTC(ticks int64, loc *time.Location) int64 {
	w := types.TicksToTime(ticks)
	offsetAt := func(t time.Time) int64 {
		_, off := t.In(loc).Zone()
		return int64(off) * types.Second
	}
	before, after := offsetAt(w.Add(-12*time.Hour)), offsetAt(w.Add(12*time.Hour))
	best, found := int64(0), false
	for _, off := range []int64{before, after} {
		u := ticks - off
		if offsetAt(types.TicksToTime(u)) == off && (!found || u < best) {
			best, found = u, true
		}
	}
	if !found {
		return ticks - before
	}
	return best
}
