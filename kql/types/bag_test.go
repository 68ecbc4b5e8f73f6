package types

import (
	"fmt"
	"slices"
	"testing"
)

// TestBag checks the small (scanned) and large (indexed) bag the same way,
// across the size where the index starts.
func TestBag(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, 8, 9, bagIndexMin - 1, bagIndexMin, bagIndexMin + 1, 40} {
		for _, sized := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/sized=%v", n, sized), func(t *testing.T) {
				b := NewBag()
				if sized {
					b = NewBagCap(n)
				}
				var want []string
				for i := range n {
					k := fmt.Sprint("k", i)
					b.Set(k, int64(i))
					want = append(want, k)
				}
				if n > 0 {
					b.Set("k0", "again") // replaced in place, position kept
				}
				if !slices.Equal(b.Keys, want) || b.Len() != n {
					t.Fatalf("keys %v, want %v", b.Keys, want)
				}
				for i, k := range want {
					wantV := any(int64(i))
					if i == 0 {
						wantV = "again"
					}
					if v, ok := b.Get(k); !ok || v != wantV || b.Value(i) != wantV || b.Prop(k) != wantV {
						t.Fatalf("Get(%q) = %v %v, Value(%d) = %v, want %v", k, v, ok, i, b.Value(i), wantV)
					}
				}
				if _, ok := b.Get("missing"); ok || b.Prop("missing") != nil {
					t.Fatal("a missing key was found")
				}
				if b.Delete("missing") {
					t.Fatal("Delete of a missing key reported true")
				}
				if n < 2 {
					return
				}
				keysBefore := b.Keys
				mid := want[n/2]
				if !b.Delete(mid) {
					t.Fatalf("Delete(%q) = false", mid)
				}
				want = slices.Delete(slices.Clone(want), n/2, n/2+1)
				if !slices.Equal(b.Keys, want) {
					t.Fatalf("after Delete: %v, want %v", b.Keys, want)
				}
				if keysBefore[n/2] != mid {
					t.Fatal("Delete changed a Keys slice the caller held")
				}
				if _, ok := b.Get(mid); ok {
					t.Fatal("deleted key still found")
				}
				last := want[len(want)-1]
				if v, _ := b.Get(last); n > 2 && v != any(int64(n-1)) {
					t.Fatalf("after Delete, Get(%q) = %v", last, v)
				}
				b.Set(mid, true) // re-added at the end
				if b.Keys[len(b.Keys)-1] != mid || b.Prop(mid) != true {
					t.Fatalf("re-added key: %v", b.Keys)
				}
			})
		}
	}
}

func TestBagJSONKeepsOrder(t *testing.T) {
	v, err := ParseJSON(`{"z":1,"a":{"y":[1,2],"b":null},"m":"s","z":2}`)
	if err != nil {
		t.Fatal(err)
	}
	got := DynamicJSON(v)
	if want := `{"z":2,"a":{"y":[1,2],"b":null},"m":"s"}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// Bags from one slab share blocks but never storage: filling or growing one
// leaves its neighbours as they were.
func TestBagSlab(t *testing.T) {
	var s BagSlab
	for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20} {
		bags := make([]*Bag, 3*slabBlock)
		for i := range bags {
			bags[i] = s.NewBagCap(n)
			for k := range n {
				bags[i].Set(fmt.Sprint("k", k), int64(i*100+k))
			}
		}
		bags[5].Set("extra", true) // past its room: its keys move, the block's do not
		bags[5].Set("more", true)
		for i, b := range bags {
			if b.Len() != n+2*b2i(i == 5) {
				t.Fatalf("n=%d: bag %d has %d keys", n, i, b.Len())
			}
			for k := range n {
				if v := b.Prop(fmt.Sprint("k", k)); v != any(int64(i*100+k)) {
					t.Fatalf("n=%d: bag %d key k%d = %v, want %d", n, i, k, v, i*100+k)
				}
			}
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
