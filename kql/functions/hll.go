package functions

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/cespare/xxhash/v2"

	"github.com/huntbook/huntbook/kql/types"
)

// hllPrecision maps Kusto's dcount accuracy levels 0..4 to HyperLogLog
// register-index bits: 2^12 registers (~1.6% error) up to 2^18 (~0.2%).
var hllPrecision = [...]uint8{12, 14, 16, 17, 18}

// sketch is a HyperLogLog sketch that stays an exact set of 64-bit hashes
// while small (so small distinct counts are exact, as Kusto's are) and
// switches to dense registers past m/8 entries.
type sketch struct {
	p      uint8
	sparse map[uint64]struct{}
	regs   []uint8
}

func newSketch(p uint8) *sketch { return &sketch{p: p, sparse: map[uint64]struct{}{}} }

func (s *sketch) limit() int { return (1 << s.p) / 8 }

func (s *sketch) addHash(h uint64) {
	if s.regs == nil {
		s.sparse[h] = struct{}{}
		if len(s.sparse) > s.limit() {
			s.densify()
		}
		return
	}
	s.insert(h)
}

func (s *sketch) insert(h uint64) {
	idx := h >> (64 - s.p)
	rest := h<<s.p | 1<<(s.p-1) // the guard bit caps the run at 64-p zeros
	r := uint8(bits.LeadingZeros64(rest)) + 1
	if r > s.regs[idx] {
		s.regs[idx] = r
	}
}

func (s *sketch) densify() {
	s.regs = make([]uint8, 1<<s.p)
	for h := range s.sparse {
		s.insert(h)
	}
	s.sparse = nil
}

func (s *sketch) merge(o *sketch) {
	// sketches of different accuracy merge at the coarser precision
	if o.p > s.p {
		o = o.downgrade(s.p)
	} else if o.p < s.p {
		*s = *s.downgrade(o.p)
	}
	if o.regs == nil {
		for h := range o.sparse {
			s.addHash(h)
		}
		return
	}
	if s.regs == nil {
		s.densify()
	}
	for i, r := range o.regs {
		if r > s.regs[i] {
			s.regs[i] = r
		}
	}
}

// downgrade returns a copy of s at a lower precision p.
func (s *sketch) downgrade(p uint8) *sketch {
	c := newSketch(p)
	if s.regs == nil {
		for h := range s.sparse {
			c.addHash(h)
		}
		return c
	}
	c.densify()
	foldRegs(c, s)
	return c
}

// foldRegs merges o's registers (precision >= s.p) into s's.
func foldRegs(s, o *sketch) {
	shift := o.p - s.p
	for i, r := range o.regs {
		if r == 0 {
			continue
		}
		idx := i >> shift
		// the dropped index bits become leading bits of the rest
		low := uint64(i) & (1<<shift - 1)
		var nr uint8
		if low != 0 {
			nr = uint8(bits.LeadingZeros64(low<<(64-shift))) + 1
		} else {
			nr = r + shift
		}
		if nr > s.regs[idx] {
			s.regs[idx] = nr
		}
	}
}

// estimate uses Ertl's improved HyperLogLog estimator ("New cardinality
// estimation algorithms for HyperLogLog sketches", 2017), which needs no
// empirical bias tables and is accurate across the whole range.
func (s *sketch) estimate() int64 {
	if s.regs == nil {
		return int64(len(s.sparse))
	}
	m := float64(len(s.regs))
	q := 64 - int(s.p)
	hist := make([]float64, q+2)
	for _, r := range s.regs {
		hist[r]++
	}
	z := m * hllTau(1-hist[q+1]/m)
	for k := q; k >= 1; k-- {
		z = 0.5 * (z + hist[k])
	}
	z += m * hllSigma(hist[0]/m)
	return int64(math.Round(m * m / (2 * math.Ln2) / z))
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		nz := z + x*y
		y += y
		if nz == z {
			return z
		}
		z = nz
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		pz := z
		y *= 0.5
		z -= (1 - x) * (1 - x) * y
		if pz == z {
			return z / 3
		}
	}
}

// hashValue hashes a value for distinct counting.
func hashValue(v types.Value) uint64 {
	if v.Type == types.Dynamic {
		return xxhash.Sum64String(dynKey(v.D))
	}
	return xxhash.Sum64(hashBytes(v))
}

// encode serialises the sketch as the dynamic value hll() returns:
// ["hll", precision, "s"+base64(hashes) | "d"+base64(registers)].
func (s *sketch) encode() types.Value {
	var payload string
	if s.regs == nil {
		b := make([]byte, 0, 8*len(s.sparse))
		for h := range s.sparse {
			b = binary.LittleEndian.AppendUint64(b, h)
		}
		payload = "s" + base64.StdEncoding.EncodeToString(b)
	} else {
		payload = "d" + base64.StdEncoding.EncodeToString(s.regs)
	}
	return Dyn([]any{"hll", int64(s.p), payload})
}

func decodeSketch(d any) (*sketch, error) {
	arr, ok := d.([]any)
	if !ok || len(arr) != 3 || arr[0] != "hll" {
		return nil, fmt.Errorf("not an hll() value")
	}
	p, ok1 := arr[1].(int64)
	payload, ok2 := arr[2].(string)
	if !ok1 || !ok2 || p < 4 || p > 18 || payload == "" {
		return nil, fmt.Errorf("malformed hll() value")
	}
	b, err := base64.StdEncoding.DecodeString(payload[1:])
	if err != nil {
		return nil, fmt.Errorf("malformed hll() value: %v", err)
	}
	s := newSketch(uint8(p))
	switch payload[0] {
	case 's':
		for i := 0; i+8 <= len(b); i += 8 {
			s.sparse[binary.LittleEndian.Uint64(b[i:])] = struct{}{}
		}
	case 'd':
		if len(b) != 1<<p {
			return nil, fmt.Errorf("malformed hll() value: %d registers for precision %d", len(b), p)
		}
		s.sparse, s.regs = nil, b
	default:
		return nil, fmt.Errorf("malformed hll() value")
	}
	return s, nil
}

func init() {
	def("dcount_hll", "dcount_hll(hll)", "The distinct count estimated by an hll() or hll_merge() sketch.", 1, 1, "y", fixed(types.Long),
		strict(types.Long, func(_ *Env, a []types.Value) (types.Value, error) {
			s, err := decodeSketch(a[0].D)
			if err != nil {
				return types.NullOf(types.Long), fmt.Errorf("dcount_hll(): %v", err)
			}
			return longV(s.estimate()), nil
		}))
	def("hll_merge", "hll_merge(hll1, hll2, ...)", "Merges hll() sketches into one.", 2, 64, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			var acc *sketch
			for i, v := range a {
				if v.IsNull() {
					continue
				}
				s, err := decodeSketch(v.D)
				if err != nil {
					return nullDyn, fmt.Errorf("hll_merge(): argument %d: %v", i+1, err)
				}
				if acc == nil {
					acc = s
				} else {
					acc.merge(s)
				}
			}
			if acc == nil {
				return nullDyn, nil
			}
			return acc.encode(), nil
		})
}
