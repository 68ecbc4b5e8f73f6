package exec

import (
	"encoding/binary"
	"github.com/huntbook/huntbook/kql/functions"
	"math"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// grouper assigns dense group ids to rows by the values of key columns.
// Single integer or string keys use typed maps; several keys are encoded
// into a byte string.
type grouper struct {
	cols   []*table.Column
	ints   map[int64]int32
	strs   map[string]int32
	nullID int32
	n      int32
	buf    []byte
	first  []int // first row of each group
}

func newGrouper(cols []*table.Column) *grouper {
	g := &grouper{cols: cols, nullID: -1}
	if len(cols) == 1 && table.Storage(cols[0].Type) == table.StoreInts {
		g.ints = map[int64]int32{}
	} else {
		g.strs = map[string]int32{}
	}
	return g
}

// group returns row i's group id and whether the group is new.
func (g *grouper) group(i int) (int32, bool) {
	if len(g.cols) == 0 {
		if g.n == 0 {
			g.n = 1
			g.first = append(g.first, i)
			return 0, true
		}
		return 0, false
	}
	if g.ints != nil {
		c := g.cols[0]
		if c.Nulls != nil && c.Nulls[i] {
			if g.nullID < 0 {
				g.nullID = g.add(i)
				return g.nullID, true
			}
			return g.nullID, false
		}
		k := c.Ints[i]
		if id, ok := g.ints[k]; ok {
			return id, false
		}
		id := g.add(i)
		g.ints[k] = id
		return id, true
	}
	var key string
	if len(g.cols) == 1 && g.cols[0].Type == types.String {
		key = g.cols[0].Strs[i]
	} else {
		g.buf = encodeKey(g.buf[:0], g.cols, i)
		key = string(g.buf)
	}
	if id, ok := g.strs[key]; ok {
		return id, false
	}
	id := g.add(i)
	g.strs[key] = id
	return id, true
}

func (g *grouper) add(i int) int32 {
	id := g.n
	g.n++
	g.first = append(g.first, i)
	return id
}

// encodeKey appends an unambiguous encoding of row i of cols.
func encodeKey(b []byte, cols []*table.Column, i int) []byte {
	for _, c := range cols {
		if c.IsNull(i) && c.Type != types.String {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		switch table.Storage(c.Type) {
		case table.StoreInts:
			b = binary.LittleEndian.AppendUint64(b, uint64(c.Ints[i]))
		case table.StoreReals:
			f := c.Reals[i]
			if f == 0 {
				f = 0 // fold -0 into 0
			}
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
		case table.StoreStrs:
			b = binary.AppendUvarint(b, uint64(len(c.Strs[i])))
			b = append(b, c.Strs[i]...)
		case table.StoreDyns:
			s := types.DynamicJSON(c.Dyns[i])
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

// keyOfValues encodes a row given as values, for joins whose two sides
// have different but comparable key types.
func keyOfValues(b []byte, vals []types.Value) ([]byte, bool) {
	for _, v := range vals {
		if v.IsNull() {
			return b, false
		}
		switch {
		case v.Type.IsInteger() || v.Type == types.Bool:
			b = append(b, 'i')
			b = binary.LittleEndian.AppendUint64(b, uint64(v.I))
		case isFloat(v.Type):
			if v.F == math.Trunc(v.F) && math.Abs(v.F) < 1<<62 {
				b = append(b, 'i')
				b = binary.LittleEndian.AppendUint64(b, uint64(int64(v.F)))
			} else {
				b = append(b, 'f')
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.F))
			}
		case v.Type == types.DateTime:
			b = append(b, 'd')
			b = binary.LittleEndian.AppendUint64(b, uint64(v.I))
		case v.Type == types.TimeSpan:
			b = append(b, 't')
			b = binary.LittleEndian.AppendUint64(b, uint64(v.I))
		case v.Type == types.String || v.Type == types.GUID:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(v.S)))
			b = append(b, v.S...)
		case v.Type == types.Dynamic:
			if n := functions.FromDyn(v.D); n.Type != types.Dynamic {
				var ok bool
				if b, ok = keyOfValues(b, []types.Value{n}); !ok {
					return b, false
				}
				continue
			}
			s := types.DynamicJSON(v.D)
			b = append(b, 'j')
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b, true
}

// groupIDs assigns every row of keyCols a dense group id, numbered in
// order of first appearance: gids[i] is row i's group and firsts[g] the
// first row of group g. Dictionary-encoded keys group by code without
// hashing strings; other keys are grouped per chunk in parallel and the
// chunk groups merged in chunk order.
func (r *runner) groupIDs(keyCols []*table.Column, n int, serial bool) ([]int32, []int, error) {
	gids := make([]int32, n)
	if len(keyCols) == 0 {
		if n == 0 {
			return gids, nil, nil
		}
		return gids, []int{0}, nil
	}
	if gids, firsts, ok := groupByCodes(keyCols, n); ok {
		return gids, firsts, nil
	}
	nc := numChunks(n, serial)
	locals := make([]*grouper, nc)
	err := r.forChunks(n, serial, func(ci, lo, hi int) error {
		g := newGrouper(keyCols)
		for i := lo; i < hi; i++ {
			gids[i], _ = g.group(i)
		}
		locals[ci] = g
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if nc == 1 {
		if locals[0] == nil {
			return gids, nil, nil
		}
		return gids, locals[0].first, nil
	}
	// merge chunk groups in chunk order, then renumber rows in parallel
	gg := newGrouper(keyCols)
	maps := make([][]int32, nc)
	for ci, g := range locals {
		if err := r.ctx.Err(); err != nil {
			return nil, nil, err
		}
		m := make([]int32, g.n)
		for lg := int32(0); lg < g.n; lg++ {
			m[lg], _ = gg.group(g.first[lg])
		}
		maps[ci] = m
	}
	err = r.forChunks(n, serial, func(ci, lo, hi int) error {
		m := maps[ci]
		for i := lo; i < hi; i++ {
			gids[i] = m[gids[i]]
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return gids, gg.first, nil
}

// groupByCodes groups by dictionary-encoded string keys: one key through
// a code-indexed table, several through their combined code when the
// product of the dictionary sizes fits in 64 bits.
func groupByCodes(keyCols []*table.Column, n int) ([]int32, []int, bool) {
	prod := uint64(1)
	for _, c := range keyCols {
		if !strCoded(c) || len(c.Codes) != n {
			return nil, nil, false
		}
		d := uint64(max(len(c.Dict), 1))
		if prod > (1<<63)/d {
			return nil, nil, false
		}
		prod *= d
	}
	gids := make([]int32, n)
	var firsts []int
	if prod <= uint64(max(n, 1<<16)) {
		// a dense table indexed by the combined code
		slot := make([]int32, prod)
		for i := range slot {
			slot[i] = -1
		}
		for i := 0; i < n; i++ {
			k := combinedCode(keyCols, i)
			g := slot[k]
			if g < 0 {
				g = int32(len(firsts))
				slot[k] = g
				firsts = append(firsts, i)
			}
			gids[i] = g
		}
		return gids, firsts, true
	}
	m := map[uint64]int32{}
	for i := 0; i < n; i++ {
		k := combinedCode(keyCols, i)
		g, ok := m[k]
		if !ok {
			g = int32(len(firsts))
			m[k] = g
			firsts = append(firsts, i)
		}
		gids[i] = g
	}
	return gids, firsts, true
}

func combinedCode(keyCols []*table.Column, i int) uint64 {
	if len(keyCols) == 1 {
		return uint64(keyCols[0].Codes[i])
	}
	k := uint64(0)
	for _, c := range keyCols {
		k = k*uint64(max(len(c.Dict), 1)) + uint64(c.Codes[i])
	}
	return k
}
