package workspace

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// csvScanner splits RFC 4180 records. Fields point into the input unless
// they had doubled quotes, which are decoded into scratch; the input is
// never written, so it can be scanned again.
type csvScanner struct {
	data    []byte
	pos     int
	line    int // line number at pos
	scratch []byte
	fields  [][]byte
	probs   []csvProblem // problems in the current record
	// endInQuote is set when the input ended inside a quoted field.
	endInQuote bool
	// When nf > 0, a quoted field spanning more than maxLines lines (0: no
	// limit), or holding lines with a record's worth of commas, is
	// reported: an unbalanced quote swallows the lines after it silently.
	nf, maxLines int
}

type csvProblem struct {
	field int
	line  int // where the problem starts; 0: the record's line
	msg   string
}

// next returns the next record's fields and the line it starts on.
// Blank lines are skipped.
func (s *csvScanner) next() ([][]byte, int, bool) {
	data, n := s.data, len(s.data)
	s.fields, s.scratch, s.probs = s.fields[:0], s.scratch[:0], s.probs[:0]
	for s.pos < n && (data[s.pos] == '\n' || data[s.pos] == '\r' && s.pos+1 < n && data[s.pos+1] == '\n') {
		if data[s.pos] == '\n' {
			s.line++
		}
		s.pos++
	}
	if s.pos >= n {
		return nil, 0, false
	}
	start := s.line
	pos := s.pos
	for {
		if pos >= n { // after a trailing comma
			s.fields = append(s.fields, data[n:n])
			break
		}
		if data[pos] != '"' {
			i := pos
			for i < n {
				c := data[i]
				if c == ',' || c == '\n' {
					break
				}
				i++
			}
			f := data[pos:i]
			if i == n || data[i] == '\n' {
				if len(f) > 0 && f[len(f)-1] == '\r' {
					f = f[:len(f)-1]
				}
				s.fields = append(s.fields, f)
				if i < n {
					s.line++
					i++
				}
				pos = i
				break
			}
			s.fields = append(s.fields, f)
			pos = i + 1
			continue
		}
		// Quoted field.
		begin := pos + 1
		i := begin
		esc := false
		var f []byte
		closed := false
		// Unescape while finding the end: each "" found copies the text
		// since the previous one, so JSON (every quote doubled) is read once.
		st, seg := len(s.scratch), begin
		for {
			j := bytes.IndexByte(data[i:], '"')
			if j < 0 {
				i = n
				break
			}
			j += i
			if j+1 < n && data[j+1] == '"' {
				esc = true
				s.scratch = append(s.scratch, data[seg:j+1]...)
				seg = j + 2
				i = j + 2
				continue
			}
			i = j
			closed = true
			break
		}
		if esc {
			s.scratch = append(s.scratch, data[seg:i]...)
		}
		raw := data[begin:i]
		opened := s.line
		nl := bytes.Count(raw, []byte{'\n'})
		s.line += nl
		if nl > 0 && s.nf > 0 && closed {
			if msg := s.suspectQuoted(raw, opened, nl); msg != "" {
				s.probs = append(s.probs, csvProblem{len(s.fields), opened, msg})
			}
		}
		if esc {
			f = s.scratch[st:]
		} else {
			f = raw
		}
		if !closed {
			s.endInQuote = true
			s.probs = append(s.probs, csvProblem{len(s.fields), opened, fmt.Sprintf(
				"unterminated quoted field: it runs from line %d to the end of the file (%s), kept as one value; an unbalanced quote?",
				opened, plural(nl+1, "line"))})
			s.fields = append(s.fields, f)
			pos = n
			break
		}
		pos = i + 1
		if pos < n && data[pos] != ',' && data[pos] != '\n' && !(data[pos] == '\r' && (pos+1 == n || data[pos+1] == '\n')) {
			// Text after the closing quote: keep it, as lenient readers do, and say so.
			e := pos
			for e < n && data[e] != ',' && data[e] != '\n' {
				e++
			}
			s.probs = append(s.probs, csvProblem{len(s.fields), 0, fmt.Sprintf("unexpected %q after closing quote", data[pos])})
			st := len(s.scratch)
			s.scratch = append(append(s.scratch, f...), bytes.TrimSuffix(data[pos:e], []byte{'\r'})...)
			f = s.scratch[st:]
			pos = e
		}
		s.fields = append(s.fields, f)
		if pos < n && data[pos] == '\r' {
			pos++
		}
		if pos >= n {
			break
		}
		if data[pos] == '\n' {
			s.line++
			pos++
			break
		}
		pos++ // ','
	}
	s.pos = pos
	return s.fields, start, true
}

// suspectQuoted says why a closed quoted field of nl newlines, opened on
// line opened, looks like an unbalanced quote, or "" when it does not.
func (s *csvScanner) suspectQuoted(raw []byte, opened, nl int) string {
	if s.maxLines > 0 && nl+1 > s.maxLines {
		return fmt.Sprintf("quoted field runs over %d lines (%d-%d), more than the limit of %d, kept as one value; an unbalanced quote?",
			nl+1, opened, opened+nl, s.maxLines)
	}
	if s.nf < 3 {
		return "" // a comma or two in a line of text proves nothing
	}
	// A line inside the field with a whole record's commas is most likely
	// a record swallowed by an unbalanced quote.
	rest := raw[bytes.IndexByte(raw, '\n')+1:]
	for len(rest) > 0 {
		line := rest
		if k := bytes.IndexByte(rest, '\n'); k >= 0 {
			line, rest = rest[:k], rest[k+1:]
		} else {
			rest = nil
		}
		if bytes.Count(line, []byte{','}) >= s.nf-1 {
			return fmt.Sprintf("quoted field spans lines %d-%d, which look like records of their own, kept as one value; an unbalanced quote?",
				opened, opened+nl)
		}
	}
	return ""
}

// csvPlan maps file fields to table columns.
type csvPlan struct {
	src      string
	cols     types.Schema // table columns: schema first, then extra file columns
	inferred []bool       // column type came from the data
	fieldCol []int        // file field index -> table column
	inFile   []bool       // table column has a file field
	header   int          // fields in the header
	extra    []string     // file columns a given schema lacks
	dayFirst []bool       // datetime column's slashed dates are 25/02/2026
	local    []bool       // header said "[Local Time]": wall clock of an unstated zone
	// maxFieldLines: a quoted field over this many lines is reported.
	maxFieldLines int
}

type csvChunk struct {
	start, end int // byte range of the records
	line       int // line number of the first byte
	// The chunk's rows are parsed straight into the table's columns at
	// rows [off, off+bound): bound is its newlines plus one, which no
	// record count can exceed, and the gaps close in place afterwards.
	off, bound int
	worker     int // which worker's string pools coded it
	builders   []*builder
	failed     []bool // inferred column met a value not of its type
	issues     []issue
	rows       int
	endInQuote bool
}

const (
	sampleRows  = 1000
	maxChunkCnt = 1 << 14
)

// Chunking: files are cut into pieces of about chunkBytes, and into at
// least four per worker once they exceed minSplitBytes, so both cores stay
// busy. Variables so tests can force many tiny chunks.
var (
	chunkBytes    = 2 << 20
	minSplitBytes = 256 << 10
)

// ReadCSV reads a CSV table with a header row (RFC 4180 quoting). schema
// fixes column types; columns it lacks are appended with inferred types,
// and with a nil schema every type is inferred. Values that do not convert
// are kept as nulls and listed in the report.
func ReadCSV(r io.Reader, name string, schema types.Schema) (*table.Table, *LoadReport, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return readCSV(context.Background(), data, name, name, schema, readOptions{})
}

// readOptions are the knobs the workspace passes to the readers.
type readOptions struct {
	workers       int
	strict        bool
	maxIssues     int
	maxFieldLines int     // 0: DefaultMaxFieldLines; < 0: no limit
	ev            evictor // pages of a mapped file
	// The portal export's settings (workspace.json): the order of slashed
	// dates (dateOrderAuto: from the data), and the zone of "[Local Time]"
	// columns (nil: this machine's), with where it came from.
	dateOrder string
	zone      *time.Location
	zoneFrom  string
}

func (o readOptions) nworkers() int {
	if o.workers > 0 {
		return o.workers
	}
	return defaultWorkers()
}

func readCSV(ctx context.Context, data []byte, src, name string, schema types.Schema, o readOptions) (*table.Table, *LoadReport, error) {
	begin := time.Now()
	rep := &LoadReport{File: src, Format: "csv", Bytes: int64(len(data))}
	body := data
	if bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		body = body[3:]
	}
	hs := &csvScanner{data: body, line: 1}
	header, _, ok := hs.next()
	if !ok {
		return nil, nil, fmt.Errorf("%s: empty file: a CSV table needs a header row", src)
	}
	if len(hs.probs) > 0 {
		return nil, nil, fmt.Errorf("%s:1: header: %s", src, hs.probs[0].msg)
	}
	plan, err := planCSV(src, header, schema, rep)
	if err != nil {
		return nil, nil, err
	}
	plan.maxFieldLines = o.maxFieldLines
	if plan.maxFieldLines == 0 {
		plan.maxFieldLines = DefaultMaxFieldLines
	}
	bodyStart, bodyLine := hs.pos, hs.line

	// Infer types from the first records.
	if anyTrue(plan.inferred) {
		ss := &csvScanner{data: body, pos: bodyStart, line: bodyLine}
		seen := make([]tally, len(plan.cols))
		for n := 0; n < sampleRows; n++ {
			fields, _, ok := ss.next()
			if !ok {
				break
			}
			for j, f := range fields {
				if j < len(plan.fieldCol) {
					if c := plan.fieldCol[j]; plan.inferred[c] {
						seen[c].add(classifyText(f))
					}
				}
			}
		}
		for c := range plan.cols {
			if plan.inferred[c] {
				plan.cols[c].Type = seen[c].majority()
			}
		}
	}

	chooseDateOrders(body, bodyStart, bodyLine, plan, o, rep)

	ev := o.ev.skip(len(data) - len(body))
	chunks := splitCSV(body, bodyStart, bodyLine, o.nworkers())
	final := allocColumns(plan, chunks)
	perWorker := newCaches(o.nworkers(), plan, final)
	err = parallelW(ctx, len(chunks), o.nworkers(), func(w, i int) {
		ch := chunks[i]
		ch.worker = w
		ev.populate(ch.start, ch.end)
		parseCSVChunk(body, ch, plan, final, perWorker[w], uint32(i+1))
		ev.evict(ch.start, ch.end)
	})
	if err != nil {
		return nil, nil, err
	}
	for i := 0; i < len(chunks)-1; i++ {
		if chunks[i].endInQuote {
			// A bare quote inside an unquoted field fooled the splitter:
			// parse the whole body as one chunk instead.
			bound := 0
			for _, ch := range chunks {
				bound += ch.bound
			}
			one := &csvChunk{start: bodyStart, end: len(body), line: bodyLine, bound: bound}
			perWorker = newCaches(1, plan, final)
			parseCSVChunk(body, one, plan, final, perWorker[0], 1)
			chunks = []*csvChunk{one}
			break
		}
	}
	if err := widenCSV(ctx, body, chunks, plan, o); err != nil {
		return nil, nil, err
	}

	for _, name := range plan.extra {
		rep.Warnings = append(rep.Warnings, extraColumnWarning(src, name, plan.cols[plan.cols.Index(name)].Type))
	}
	t := &table.Table{Name: name, Columns: make([]*table.Column, len(plan.cols))}
	rows := 0
	for _, ch := range chunks {
		rows += ch.rows
	}
	// Columns are independent: close each one's gaps on its own worker.
	err = parallel(ctx, len(plan.cols), o.nworkers(), func(c int) {
		col := plan.cols[c]
		if !plan.inFile[c] {
			nc := table.NewColumn(col.Name, col.Type, rows)
			b := &builder{col: nc}
			for r := 0; r < rows; r++ {
				b.appendNull()
			}
			t.Columns[c] = nc
			return
		}
		t.Columns[c] = assembleColumn(final[c], col.Type, chunks, c, perWorker, rows)
	})
	if err != nil {
		return nil, nil, err
	}
	convertLocalTimes(t, plan, o, rep)
	var issues []issue
	for _, ch := range chunks {
		issues = append(issues, ch.issues...)
	}
	rep.Rows = rows
	err = finishReport(rep, issues, o.maxIssues, o.strict)
	rep.Duration = time.Since(begin)
	if err != nil {
		return nil, rep, err
	}
	return t, rep, nil
}

func anyTrue(b []bool) bool {
	for _, v := range b {
		if v {
			return true
		}
	}
	return false
}

func planCSV(src string, header [][]byte, schema types.Schema, rep *LoadReport) (*csvPlan, error) {
	p := &csvPlan{src: src, header: len(header)}
	for _, c := range schema {
		p.cols = append(p.cols, c)
		p.inferred = append(p.inferred, false)
		p.inFile = append(p.inFile, false)
	}
	seen := map[string]int{}
	var extra []string
	p.dayFirst = make([]bool, len(p.cols), len(p.cols)+len(header))
	p.local = make([]bool, len(p.cols), len(p.cols)+len(header))
	for j, h := range header {
		name, local := exportedName(string(trimSpace(h)))
		if name == "" {
			return nil, fmt.Errorf("%s:1: header field %d has no column name", src, j+1)
		}
		if k, dup := seen[name]; dup {
			return nil, fmt.Errorf("%s:1: header: column %s appears twice (fields %d and %d)", src, name, k+1, j+1)
		}
		seen[name] = j
		c := schema.Index(name)
		if c < 0 {
			c = len(p.cols)
			p.cols = append(p.cols, types.Column{Name: name, Type: types.String})
			p.inferred = append(p.inferred, true)
			p.inFile = append(p.inFile, true)
			p.dayFirst = append(p.dayFirst, false)
			p.local = append(p.local, false)
			if schema != nil {
				extra = append(extra, name)
			}
		}
		p.inFile[c] = true
		p.local[c] = local
		p.fieldCol = append(p.fieldCol, c)
	}
	var missing []string
	for _, c := range schema {
		if _, ok := seen[c.Name]; !ok {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		rep.Warnings = append(rep.Warnings, missingColumnsWarning(src, missing))
	}
	p.extra = extra
	return p, nil
}

// splitCSV cuts body[start:] into chunks that end at record boundaries.
// A newline ends a record when an even number of quotes precede it, which
// holds for RFC 4180 input; a chunk that still ends inside quotes makes the
// caller fall back to one chunk. It counts each chunk's newlines (its
// bound). The pages it reads stay mapped for the parse, which drops them
// chunk by chunk (dropping them here too only made the parse fault them
// in again, with no lower peak).
func splitCSV(body []byte, start, line, workers int) []*csvChunk {
	size := len(body) - start
	n := size / chunkBytes
	if n < workers*4 && size > minSplitBytes {
		n = workers * 4
	}
	if n > maxChunkCnt {
		n = maxChunkCnt
	}
	if n < 1 || workers == 1 && size < chunkBytes {
		n = 1
	}
	var chunks []*csvChunk
	pos, parity := start, 0
	for k := 1; k < n; k++ {
		t := start + int(int64(size)*int64(k)/int64(n))
		if t <= pos {
			continue
		}
		parity ^= bytes.Count(body[pos:t], []byte{'"'}) & 1
		i := t
		for i < len(body) {
			c := body[i]
			if c == '"' {
				parity ^= 1
			} else if c == '\n' && parity == 0 {
				break
			}
			i++
		}
		if i >= len(body) {
			break
		}
		nl := bytes.Count(body[pos:i+1], []byte{'\n'})
		chunks = append(chunks, &csvChunk{start: pos, end: i + 1, line: line, bound: nl + 1})
		line += nl
		pos = i + 1
	}
	nl := bytes.Count(body[pos:], []byte{'\n'})
	return append(chunks, &csvChunk{start: pos, end: len(body), line: line, bound: nl + 1})
}

// Tables with fewer rows than this are not dictionary-encoded by the
// reader (as the executor does not encode them either).
const minCodedRows = 4096

// adviseColumn asks for huge pages under a new column's arrays.
func adviseColumn(f *table.Column) {
	if n := len(f.Ints); n > 0 {
		adviseHuge(unsafe.Pointer(&f.Ints[0]), n*8)
	}
	if n := len(f.Reals); n > 0 {
		adviseHuge(unsafe.Pointer(&f.Reals[0]), n*8)
	}
	if n := len(f.Strs); n > 0 {
		adviseHuge(unsafe.Pointer(&f.Strs[0]), n*16)
	}
	if n := len(f.Dyns); n > 0 {
		adviseHuge(unsafe.Pointer(&f.Dyns[0]), n*16)
	}
	if n := len(f.Codes); n > 0 {
		adviseHuge(unsafe.Pointer(&f.Codes[0]), n*4)
	}
}

// allocColumns makes the table's columns at the chunks' total bound and
// gives each chunk its row range. String columns of a table big enough
// get room for codes.
func allocColumns(p *csvPlan, chunks []*csvChunk) []*table.Column {
	total := 0
	for _, ch := range chunks {
		ch.off = total
		total += ch.bound
	}
	final := make([]*table.Column, len(p.cols))
	for c, col := range p.cols {
		if !p.inFile[c] {
			continue
		}
		f := &table.Column{Name: col.Name, Type: col.Type}
		switch table.Storage(col.Type) {
		case table.StoreInts:
			f.Ints = make([]int64, total)
		case table.StoreReals:
			f.Reals = make([]float64, total)
		case table.StoreStrs:
			f.Strs = make([]string, total)
			if col.Type == types.String && total >= minCodedRows {
				f.Codes = make([]uint32, total)
			}
		case table.StoreDyns:
			f.Dyns = make([]any, total)
		}
		adviseColumn(f)
		final[c] = f
	}
	return final
}

// newCaches makes each worker's string pools and dynamic caches, asking
// for codes on the columns allocColumns gave room for.
func newCaches(workers int, p *csvPlan, final []*table.Column) [][]caches {
	perWorker := make([][]caches, workers)
	for w := range perWorker {
		perWorker[w] = make([]caches, len(p.cols))
		for c, f := range final {
			if f != nil && f.Codes != nil {
				perWorker[w][c].pool.codeLimit = min(max(len(f.Codes)/table.DictRatio, internMaxSize), table.DictMaxSize)
			}
		}
	}
	return perWorker
}

// window is the part of f for rows [off, off+n), empty with room for n.
func window(f *table.Column, off, n int) *table.Column {
	c := &table.Column{Name: f.Name, Type: f.Type}
	switch table.Storage(f.Type) {
	case table.StoreInts:
		c.Ints = f.Ints[off : off : off+n]
	case table.StoreReals:
		c.Reals = f.Reals[off : off : off+n]
	case table.StoreStrs:
		c.Strs = f.Strs[off : off : off+n]
	case table.StoreDyns:
		c.Dyns = f.Dyns[off : off : off+n]
	}
	if f.Codes != nil {
		c.Codes = f.Codes[off : off : off+n]
	}
	return c
}

// assembleColumn closes the gaps between the chunks' rows of column c in
// place (rows only move towards the start: a chunk's rows begin at or
// after the previous chunks' total, so copy's memmove is safe), and turns
// the workers' codes into one dictionary numbered in order of first
// appearance, as the executor numbers its own.
func assembleColumn(f *table.Column, t types.Type, chunks []*csvChunk, c int, pools [][]caches, rows int) *table.Column {
	if f.Type != t { // widened to another type: the chunks hold new columns
		f = &table.Column{Name: f.Name, Type: t}
		switch table.Storage(t) {
		case table.StoreInts:
			f.Ints = make([]int64, rows)
		case table.StoreReals:
			f.Reals = make([]float64, rows)
		case table.StoreStrs:
			f.Strs = make([]string, rows)
		case table.StoreDyns:
			f.Dyns = make([]any, rows)
		}
	}
	var remap [][]uint32
	var dict []string
	if f.Codes != nil {
		dict, remap = mergeDicts(chunks, c, pools, rows)
	}
	var nulls []bool
	at := 0
	for _, ch := range chunks {
		p := ch.builders[c].col
		n := p.Len()
		switch table.Storage(t) {
		case table.StoreInts:
			copy(f.Ints[at:], p.Ints)
		case table.StoreReals:
			copy(f.Reals[at:], p.Reals)
		case table.StoreStrs:
			copy(f.Strs[at:], p.Strs)
		case table.StoreDyns:
			copy(f.Dyns[at:], p.Dyns)
		}
		if p.Nulls != nil {
			if nulls == nil {
				nulls = make([]bool, rows)
			}
			copy(nulls[at:], p.Nulls)
		}
		if remap != nil {
			rm, dst := remap[ch.worker], f.Codes[at:at+n]
			for i, x := range p.Codes {
				dst[i] = rm[x]
			}
		}
		at += n
	}
	switch table.Storage(t) {
	case table.StoreInts:
		f.Ints = f.Ints[:rows]
	case table.StoreReals:
		f.Reals = f.Reals[:rows]
	case table.StoreStrs:
		f.Strs = f.Strs[:rows]
	case table.StoreDyns:
		f.Dyns = f.Dyns[:rows]
	}
	f.Nulls = nulls
	if remap != nil {
		f.Codes, f.Dict = f.Codes[:rows], dict
	} else {
		// codes were wanted and did not pay: tell the executor not to try
		f.NoDict = f.Codes != nil && t == types.String
		f.Codes = nil
	}
	return f
}

// mergeDicts numbers the distinct values of column c across the workers'
// pools in order of first appearance in the table, and returns per worker
// the map from its codes to the table's; nil when the column is not
// encoded (a chunk lacks codes, or too many values are distinct).
func mergeDicts(chunks []*csvChunk, c int, pools [][]caches, rows int) ([]string, [][]uint32) {
	for _, ch := range chunks {
		b := ch.builders[c]
		if !b.coding || len(b.col.Codes) != b.col.Len() || pools[ch.worker][c].pool.noCodes {
			return nil, nil
		}
	}
	limit := table.DictLimit(rows)
	remap := make([][]uint32, len(pools))
	for w := range pools {
		rm := make([]uint32, len(pools[w][c].pool.dict))
		for i := range rm {
			rm[i] = math.MaxUint32
		}
		remap[w] = rm
	}
	global := map[string]uint32{}
	var dict []string
	for _, ch := range chunks {
		rm, wd := remap[ch.worker], pools[ch.worker][c].pool.dict
		for _, x := range ch.builders[c].first {
			if rm[x] != math.MaxUint32 {
				continue
			}
			s := wd[x]
			g, ok := global[s]
			if !ok {
				if len(dict) >= limit {
					return nil, nil
				}
				g = uint32(len(dict))
				global[s] = g
				dict = append(dict, s)
			}
			rm[x] = g
		}
	}
	return dict, remap
}

func parseCSVChunk(body []byte, ch *csvChunk, p *csvPlan, final []*table.Column, cs []caches, stamp uint32) {
	ch.builders = make([]*builder, len(p.cols))
	ch.failed = make([]bool, len(p.cols))
	ch.issues, ch.rows, ch.endInQuote = nil, 0, false
	for c := range p.cols {
		if p.inFile[c] {
			b := &builder{col: window(final[c], ch.off, ch.bound), pool: &cs[c].pool, dyn: &cs[c].dyn, dayFirst: p.dayFirst[c]}
			b.coding, b.stamp = b.col.Codes != nil, stamp
			ch.builders[c] = b
		}
	}
	nf := len(p.fieldCol)
	s := &csvScanner{data: body[:ch.end], pos: ch.start, line: ch.line, nf: nf, maxLines: p.maxFieldLines}
	for {
		fields, line, ok := s.next()
		if !ok {
			break
		}
		for _, pr := range s.probs {
			col := ""
			if pr.field < nf {
				col = p.cols[p.fieldCol[pr.field]].Name
			}
			at := line
			if pr.line > 0 {
				at = pr.line
			}
			ch.issues = append(ch.issues, issue{Issue{p.src, at, col, pr.msg}, noteOnly})
		}
		if n := len(fields); n < nf {
			ch.issues = append(ch.issues, issue{Issue{p.src, line, "", "record has " + plural(n, "field") +
				", the header has " + strconv.Itoa(nf) + ": kept, padded with " + plural(nf-n, "null")}, paddedLine})
		} else if n > nf {
			ch.issues = append(ch.issues, issue{Issue{p.src, line, "", "record has " + plural(n, "field") +
				", the header has " + strconv.Itoa(nf) + ": kept, " + plural(n-nf, "extra field") + " cut"}, cutLine})
		}
		for j := 0; j < nf; j++ {
			c := p.fieldCol[j]
			b := ch.builders[c]
			if j >= len(fields) {
				b.appendNull()
				continue
			}
			if !b.appendText(fields[j]) {
				if p.inferred[c] {
					ch.failed[c] = true
				} else {
					ch.issues = append(ch.issues, issue{Issue{p.src, line, b.col.Name, convertMessage(fields[j], b.col.Type)}, badValue})
				}
			}
		}
		ch.rows++
	}
	ch.endInQuote = s.endInQuote
}

// widenCSV handles inferred columns whose sample-based type met a value
// that does not fit: it takes the type nearly all values have (tally's
// majority), converts those columns again and reports each value that
// does not fit as a null (file, line, column). Rare, so it rescans rather
// than keeping raw text.
func widenCSV(ctx context.Context, body []byte, chunks []*csvChunk, p *csvPlan, o readOptions) error {
	var cols []int
	for c := range p.cols {
		for _, ch := range chunks {
			if ch.failed[c] {
				cols = append(cols, c)
				break
			}
		}
	}
	if len(cols) == 0 {
		return nil
	}
	// Pass 1: keep the text and each record's line, and tally every value's type.
	texts := make([][]*builder, len(chunks))
	lines := make([][]int, len(chunks))
	seen := make([][]tally, len(chunks))
	err := parallel(ctx, len(chunks), o.nworkers(), func(i int) {
		ch := chunks[i]
		texts[i] = make([]*builder, len(cols))
		seen[i] = make([]tally, len(cols))
		lines[i] = make([]int, 0, ch.rows)
		for k, c := range cols {
			texts[i][k] = newBuilder(p.cols[c].Name, types.String, ch.rows)
		}
		s := &csvScanner{data: body[:ch.end], pos: ch.start, line: ch.line}
		for {
			fields, line, ok := s.next()
			if !ok {
				break
			}
			lines[i] = append(lines[i], line)
			for k, c := range cols {
				j := fieldOf(p, c)
				var f []byte
				if j < len(fields) {
					f = fields[j]
				}
				texts[i][k].appendText(f)
				seen[i][k].add(classifyText(f))
			}
		}
	})
	if err != nil {
		return err
	}
	for k, c := range cols {
		var t tally
		for i := range chunks {
			t.merge(&seen[i][k])
		}
		p.cols[c].Type = t.majority()
	}
	// Pass 2: convert the kept text to the chosen type.
	return parallel(ctx, len(chunks), o.nworkers(), func(i int) {
		ch := chunks[i]
		added := false
		for k, c := range cols {
			src := texts[i][k].col
			if p.cols[c].Type == types.String {
				ch.builders[c] = texts[i][k]
				continue
			}
			b := newBuilder(src.Name, p.cols[c].Type, len(src.Strs))
			b.dayFirst = p.dayFirst[c]
			for r, s := range src.Strs {
				if !b.appendText([]byte(s)) {
					ch.issues = append(ch.issues, issue{Issue{p.src, lines[i][r], src.Name,
						convertMessage([]byte(s), b.col.Type) + " (most of the column is " + b.col.Type.String() + ")"}, badValue})
					added = true
				}
			}
			ch.builders[c] = b
		}
		if added {
			slices.SortStableFunc(ch.issues, func(a, b issue) int { return cmp.Compare(a.Line, b.Line) })
		}
	})
}

func fieldOf(p *csvPlan, c int) int {
	for j, fc := range p.fieldCol {
		if fc == c {
			return j
		}
	}
	return -1
}

// WriteCSV writes t with a header row; nulls are empty fields, dynamic
// values JSON, datetimes ISO 8601 with up to 7 fractional digits.
func WriteCSV(w io.Writer, t *table.Table) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	var buf []byte
	for j, c := range t.Columns {
		if j > 0 {
			buf = append(buf, ',')
		}
		buf = appendCSVField(buf, c.Name)
	}
	buf = append(buf, '\n')
	rows := t.Rows()
	for i := 0; i < rows; i++ {
		for j, c := range t.Columns {
			if j > 0 {
				buf = append(buf, ',')
			}
			if c.IsNull(i) {
				continue
			}
			switch c.Type {
			case types.Bool:
				buf = strconv.AppendBool(buf, c.Ints[i] != 0)
			case types.Int, types.Long:
				buf = strconv.AppendInt(buf, c.Ints[i], 10)
			case types.Real, types.Decimal:
				buf = append(buf, types.FormatReal(c.Reals[i])...)
			case types.DateTime:
				buf = appendDateTime(buf, c.Ints[i])
			case types.TimeSpan:
				buf = append(buf, types.FormatTimeSpan(c.Ints[i])...)
			case types.String, types.GUID:
				buf = appendCSVField(buf, c.Strs[i])
			case types.Dynamic:
				buf = appendCSVField(buf, types.DynamicJSON(c.Dyns[i]))
			}
		}
		buf = append(buf, '\n')
		if len(buf) > 128<<10 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// appendCSVField quotes s when RFC 4180 requires it.
func appendCSVField(buf []byte, s string) []byte {
	needs := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			needs = true
			break
		}
	}
	if len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ') {
		needs = true
	}
	if !needs {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			buf = append(buf, '"')
		}
		buf = append(buf, s[i])
	}
	return append(buf, '"')
}
