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
