package ueba

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The baseline state a build leaves in the workspace, so the next build
// folds in only the days after it (Options.Incremental):
//
//	ueba/baseline.state
//	  line 1  "huntbook-ueba-baseline"
//	  line 2  the header, JSON (stateHeader: format version, window end, ...)
//	  then    the body: per-account tallies, the tenant's value shares and
//	          hours, each day still in the window with its accounts' tallies,
//	          value and account names, sign-in locations by address; uvarints,
//	          floats as their IEEE bits (so a loaded baseline scores exactly as
//	          the one saved), ending in a CRC-32 of the body.
//
// Peer baselines are not stored: they are sums of the peers' account
// tallies, recomputed from the build's UserPeerAnalytics.
const (
	StateFile    = "ueba/baseline.state"
	stateMagic   = "huntbook-ueba-baseline"
	stateVersion = 1
)

// stateHeader says what a saved baseline covers.
type stateHeader struct {
	Version int `json:"version"`
	// Options is the fingerprint of the options rows were scored with.
	Options string `json:"options"`
	// WindowEnd (ticks, 00:00 UTC) is where the saved baseline ends: every
	// activity before it is folded in, none after.
	WindowEnd int64 `json:"windowEnd"`
	// Days is how many days the baseline window holds.
	Days int `json:"days"`
	// Rows is how many BehaviorAnalytics rows come before WindowEnd.
	Rows int `json:"behaviorAnalyticsRows"`
	// Sources counts each source table's rows before WindowEnd, so a
	// changed history is noticed.
	Sources map[string]int `json:"sourceRows"`
	Tenant  string         `json:"tenantId"`
}

// fingerprint names the options that change scores; a saved baseline is
// used only by builds with the same ones.
func (o Options) fingerprint() string {
	return fmt.Sprintf("days=%d uncommon=%g priors=%g/%g/%g hour=%g bits=%g highvol=%g minbase=%d maxvol=%g dormant=%d new=%d peers=%d",
		o.BaselineDays, o.UncommonShare, o.TenantPrior, o.PeerPrior, o.UserPrior, o.HourWeight, o.BitsPerPoint,
		o.HighVolumeP, o.MinBaselineDays, o.MaxVolumeBits, o.DormantDays, o.NewAccountDays, o.Peers)
}

// encodeState writes the header and the baseline (without its current
// day) and the sign-in locations.
func encodeState(h stateHeader, b *Baseline, ips map[string]ipInfo) []byte {
	var e enc
	for d := range nDims {
		e.uint(uint64(len(b.names[d])))
		for _, s := range b.names[d] {
			e.str(s)
		}
	}
	e.uint(uint64(len(b.accts)))
	for _, a := range b.accts {
		e.str(a.key)
		e.bool(a.seen)
		e.int(a.last)
		e.tally(&a.base)
	}
	for d := range nDims {
		e.uint(uint64(b.org.users[d]))
		for _, s := range b.org.share[d] { // one per name
			e.uint(uint64(s.using))
			e.float(s.frac)
		}
	}
	for _, h := range b.org.hours {
		e.uint(h)
	}
	e.uint(b.org.nh)
	e.uint(uint64(len(b.days)))
	for _, day := range b.days {
		e.int(day.day)
		e.uint(uint64(len(day.order)))
		for k, ai := range day.order {
			e.uint(uint64(ai))
			e.tally(day.tallies[k])
		}
	}
	addrs := make([]string, 0, len(ips))
	for ip := range ips {
		addrs = append(addrs, ip)
	}
	sort.Strings(addrs)
	e.uint(uint64(len(addrs)))
	for _, ip := range addrs {
		l := ips[ip]
		e.str(ip)
		e.str(l.country)
		e.str(l.city)
		e.str(l.isp)
	}
	h.Version = stateVersion
	h.Days = len(b.days)
	js, _ := json.Marshal(h)
	var out bytes.Buffer
	out.Grow(len(e.b) + len(js) + 64)
	out.WriteString(stateMagic + "\n")
	out.Write(js)
	out.WriteByte('\n')
	out.Write(e.b)
	out.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(e.b)))
	return out.Bytes()
}

// errNoState: the workspace has no saved baseline.
var errNoState = errors.New("no saved baseline")

// readState reads a workspace's saved baseline; errNoState when there is
// none. A damaged file is an error naming it.
func readState(dir string, opts Options) (stateHeader, *Baseline, map[string]ipInfo, error) {
	path := filepath.Join(dir, filepath.FromSlash(StateFile))
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return stateHeader{}, nil, nil, errNoState
	}
	if err != nil {
		return stateHeader{}, nil, nil, fmt.Errorf("ueba: %w", err)
	}
	h, b, ips, err := decodeState(data, opts)
	if err != nil {
		return h, nil, nil, fmt.Errorf("ueba: %s: %v (delete it, or build in full, to start the baseline again)", path, err)
	}
	return h, b, ips, nil
}

// decodeState parses encodeState's output into a baseline with opts.
func decodeState(data []byte, opts Options) (stateHeader, *Baseline, map[string]ipInfo, error) {
	var h stateHeader
	r := bufio.NewReader(bytes.NewReader(data))
	magic, err := r.ReadString('\n')
	if err != nil || strings.TrimSuffix(magic, "\n") != stateMagic {
		return h, nil, nil, errors.New("not a huntbook UEBA baseline (bad first line)")
	}
	line, err := r.ReadBytes('\n')
	if err != nil {
		return h, nil, nil, errors.New("header line missing")
	}
	if err := json.Unmarshal(line, &h); err != nil {
		return h, nil, nil, fmt.Errorf("header: %v", err)
	}
	if h.Version != stateVersion {
		return h, nil, nil, fmt.Errorf("format version %d, this huntbook reads %d", h.Version, stateVersion)
	}
	body := data[len(magic)+len(line):]
	if len(body) < 4 {
		return h, nil, nil, errors.New("truncated body")
	}
	sum := binary.BigEndian.Uint32(body[len(body)-4:])
	body = body[:len(body)-4]
	if crc32.ChecksumIEEE(body) != sum {
		return h, nil, nil, errors.New("checksum mismatch (the file is damaged or truncated)")
	}
	d := dec{b: body}
	b := NewBaseline(opts)
	for k := range nDims {
		n := d.count()
		for range n {
			b.intern(dim(k), d.str())
		}
	}
	na := d.count()
	for range na {
		key := d.str()
		ai := b.account(key)
		a := b.accts[ai]
		a.seen = d.bool()
		a.last = d.int()
		d.tally(&a.base, b)
	}
	for k := range nDims {
		b.org.users[k] = uint32(d.uint())
		for v := range b.org.share[k] {
			s := share{using: uint32(d.uint()), frac: d.float()}
			b.org.share[k][v] = s
			if s.using > 0 {
				b.org.nvals[k]++
			}
		}
	}
	for i := range b.org.hours {
		b.org.hours[i] = d.uint()
	}
	b.org.nh = d.uint()
	nd := d.count()
	for range nd {
		day := &dayAgg{day: d.int()}
		n := d.count()
		for range n {
			ai := d.uint()
			if ai >= uint64(len(b.accts)) {
				d.fail("day account %d out of range", ai)
				break
			}
			t := &tally{}
			d.tally(t, b)
			day.order = append(day.order, int32(ai))
			day.tallies = append(day.tallies, t)
		}
		b.days = append(b.days, day)
	}
	ips := map[string]ipInfo{}
	ni := d.count()
	for range ni {
		ip := d.str()
		ips[ip] = ipInfo{d.str(), d.str(), d.str()}
	}
	if d.err == nil && d.off != len(d.b) {
		d.fail("%d bytes after the end", len(d.b)-d.off)
	}
	if d.err != nil {
		return h, nil, nil, d.err
	}
	return h, b, ips, nil
}

// enc appends uvarints, varints, strings and float bits.
type enc struct{ b []byte }

func (e *enc) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) float(f float64) {
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(f))
}
func (e *enc) str(s string) { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *enc) counts(c counts) {
	e.uint(uint64(len(c)))
	for _, x := range c {
		e.uint(uint64(x.v))
		e.uint(uint64(x.c))
	}
}

func (e *enc) tally(t *tally) {
	for d := range nDims {
		e.uint(uint64(t.n[d]))
		e.counts(t.vals[d])
	}
	e.counts(t.hours)
	e.uint(uint64(t.nh))
	for _, v := range t.vol {
		e.uint(uint64(v))
	}
	e.int(t.last)
}

// dec reads what enc wrote; the first problem sticks and stops reading.
type dec struct {
	b   []byte
	off int
	err error
}

func (d *dec) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("body offset %d: "+format, append([]any{d.off}, args...)...)
	}
}

func (d *dec) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad number")
		return 0
	}
	d.off += n
	return v
}

func (d *dec) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad number")
		return 0
	}
	d.off += n
	return v
}

// count reads a length, refusing one longer than the bytes left.
func (d *dec) count() int {
	n := d.uint()
	if n > uint64(len(d.b)-d.off) {
		d.fail("length %d beyond the end", n)
		return 0
	}
	return int(n)
}

func (d *dec) float() float64 {
	if d.err != nil || d.off+8 > len(d.b) {
		d.fail("truncated float")
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.off:]))
	d.off += 8
	return f
}

func (d *dec) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[d.off : d.off+n])
	d.off += n
	return s
}

func (d *dec) bool() bool {
	if d.err != nil || d.off >= len(d.b) {
		d.fail("truncated")
		return false
	}
	v := d.b[d.off]
	d.off++
	return v != 0
}

// counts reads a multiset whose values must be ids below limit.
func (d *dec) counts(limit int) counts {
	n := d.count()
	var c counts
	for range n {
		v, k := d.uint(), d.uint()
		if v >= uint64(limit) {
			d.fail("value id %d out of range", v)
			return c
		}
		c = append(c, vc{int32(v), uint32(k)})
	}
	return c
}

func (d *dec) tally(t *tally, b *Baseline) {
	for k := range nDims {
		t.n[k] = uint32(d.uint())
		t.vals[k] = d.counts(len(b.names[k]))
	}
	t.hours = d.counts(168)
	t.nh = uint32(d.uint())
	for s := range t.vol {
		t.vol[s] = uint32(d.uint())
	}
	t.last = d.int()
}

// writeState stores an encoded baseline in the workspace folder through a
// temporary file, so a reader never sees half of one.
func writeState(dir string, data []byte) error {
	path := filepath.Join(dir, filepath.FromSlash(StateFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("ueba: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".baseline.state.tmp*")
	if err != nil {
		return fmt.Errorf("ueba: %w", err)
	}
	_, werr := io.Copy(f, bytes.NewReader(data))
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("ueba: write %s: %w", path, werr)
	}
	return nil
}
