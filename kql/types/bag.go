package types

import "unsafe"

// Bag is a dynamic property bag. Keys keep their insertion order, which is
// what users see when a bag is printed.
//
// Values sit in a slice beside the keys rather than in a map: log objects
// have a handful of properties, a linear scan of a few strings is faster than
// hashing, and a million bags without a map each are a large part of a
// loaded table's memory. Bags past bagIndexMin keys also get an index.
//
// Keys is read-only for callers; change a bag through Set and Delete only.
// A bag is safe for concurrent readers once nobody writes to it.
type Bag struct {
	Keys []string
	vals []any
	idx  map[string]int32
}

// bagIndexMin is the size from which a bag keeps a key index.
const bagIndexMin = 12

// NewBag returns an empty property bag.
func NewBag() *Bag { return &Bag{} }

// NewBagCap returns an empty bag with room for n properties. Small bags get
// their keys and values in the same allocation as the bag itself: one heap
// object instead of three, for the allocator and for the garbage collector.
func NewBagCap(n int) *Bag {
	switch {
	case n <= 0:
		return &Bag{}
	case n == 1:
		return bagWith[[1]string, [1]any](n)
	case n == 2:
		return bagWith[[2]string, [2]any](n)
	case n == 3:
		return bagWith[[3]string, [3]any](n)
	case n == 4:
		return bagWith[[4]string, [4]any](n)
	case n <= 6:
		return bagWith[[6]string, [6]any](n)
	case n <= 8:
		return bagWith[[8]string, [8]any](n)
	}
	b := &Bag{Keys: make([]string, 0, n), vals: make([]any, 0, n)}
	if n >= bagIndexMin {
		b.idx = make(map[string]int32, n)
	}
	return b
}

// bagOf is a bag with room for its first properties in the same object.
type bagOf[K [1]string | [2]string | [3]string | [4]string | [6]string | [8]string,
	V [1]any | [2]any | [3]any | [4]any | [6]any | [8]any] struct {
	b Bag
	k K
	v V
}

func (x *bagOf[K, V]) init() *Bag {
	x.b.Keys = unsafe.Slice((*string)(unsafe.Pointer(&x.k)), len(x.k))[:0]
	x.b.vals = unsafe.Slice((*any)(unsafe.Pointer(&x.v)), len(x.v))[:0]
	return &x.b
}

func bagWith[K [1]string | [2]string | [3]string | [4]string | [6]string | [8]string,
	V [1]any | [2]any | [3]any | [4]any | [6]any | [8]any](n int) *Bag {
	return new(bagOf[K, V]).init()
}

// BagSlab hands out small bags from blocks of slabBlock: one allocation for
// many bags instead of one each. It is for a reader that makes millions of
// bags which live and die together with one table (a block stays alive while
// any of its bags does). Not safe for concurrent use; the zero value is ready.
type BagSlab struct {
	b1 []bagOf[[1]string, [1]any]
	b2 []bagOf[[2]string, [2]any]
	b3 []bagOf[[3]string, [3]any]
	b4 []bagOf[[4]string, [4]any]
	b6 []bagOf[[6]string, [6]any]
	b8 []bagOf[[8]string, [8]any]
}

const slabBlock = 128

// NewBagCap is NewBagCap from the slab.
func (s *BagSlab) NewBagCap(n int) *Bag {
	switch {
	case n <= 0:
		return &Bag{}
	case n == 1:
		return fromSlab(&s.b1)
	case n == 2:
		return fromSlab(&s.b2)
	case n == 3:
		return fromSlab(&s.b3)
	case n == 4:
		return fromSlab(&s.b4)
	case n <= 6:
		return fromSlab(&s.b6)
	case n <= 8:
		return fromSlab(&s.b8)
	}
	return NewBagCap(n)
}

func fromSlab[K [1]string | [2]string | [3]string | [4]string | [6]string | [8]string,
	V [1]any | [2]any | [3]any | [4]any | [6]any | [8]any](blk *[]bagOf[K, V]) *Bag {
	if len(*blk) == 0 {
		*blk = make([]bagOf[K, V], slabBlock)
	}
	x := &(*blk)[0]
	*blk = (*blk)[1:]
	return x.init()
}

// find is the position of k, or -1.
func (b *Bag) find(k string) int {
	if b.idx != nil {
		if i, ok := b.idx[k]; ok {
			return int(i)
		}
		return -1
	}
	for i, x := range b.Keys {
		if x == k {
			return i
		}
	}
	return -1
}

// Set adds a property at the end, or replaces the value of an existing one
// in place (its position does not change).
func (b *Bag) Set(k string, v any) {
	if i := b.find(k); i >= 0 {
		b.vals[i] = v
		return
	}
	b.Keys = append(b.Keys, k)
	b.vals = append(b.vals, v)
	switch {
	case b.idx != nil:
		b.idx[k] = int32(len(b.Keys) - 1)
	case len(b.Keys) >= bagIndexMin:
		b.idx = make(map[string]int32, 2*len(b.Keys))
		for i, x := range b.Keys {
			b.idx[x] = int32(i)
		}
	}
}

// Get returns a property and whether it exists.
func (b *Bag) Get(k string) (any, bool) {
	if i := b.find(k); i >= 0 {
		return b.vals[i], true
	}
	return nil, false
}

// Value is the value of the i-th property, in key order.
func (b *Bag) Value(i int) any { return b.vals[i] }

// Delete removes a property and reports whether it was there. The other
// properties keep their order.
func (b *Bag) Delete(k string) bool {
	i := b.find(k)
	if i < 0 {
		return false
	}
	// Copy rather than shift in place: Keys may share its array with a
	// slice a caller still holds.
	b.Keys = append(append(make([]string, 0, len(b.Keys)-1), b.Keys[:i]...), b.Keys[i+1:]...)
	b.vals = append(append(make([]any, 0, len(b.vals)-1), b.vals[:i]...), b.vals[i+1:]...)
	if b.idx != nil {
		b.idx = nil
		if len(b.Keys) >= bagIndexMin {
			b.idx = make(map[string]int32, len(b.Keys))
			for j, x := range b.Keys {
				b.idx[x] = int32(j)
			}
		}
	}
	return true
}

// Len is the number of properties.
func (b *Bag) Len() int { return len(b.Keys) }

// Prop is the value of property k, or nil (JSON null) when there is none.
func (b *Bag) Prop(k string) any {
	v, _ := b.Get(k)
	return v
}
