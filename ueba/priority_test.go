package ueba

import (
	"math"
	"testing"
)

// InvestigationPriority stops at 10; InvestigationPriorityBits keeps the
// surprisal it is made from, so activities at the cap still order: the
// takeover sign-ins (new country, device and ISP, a threat indicator's
// address) rank above the insider's VPN sign-in, and in the top 1%.
func TestPriorityBitsOrderActivitiesAtTheCap(t *testing.T) {
	tb, truth, _ := sampleTables(t)
	ba := tb.BehaviorAnalytics
	prio, bits := ba.Column("InvestigationPriority").Ints, ba.Column(PriorityBitsColumn).Reals
	bpp := tb.opts.BitsPerPoint
	for i := range prio {
		if bits[i] < 0 || math.IsNaN(bits[i]) {
			t.Fatalf("row %d: %g bits", i, bits[i])
		}
		// 0 while the baseline is young, else the bits in points
		if want := min(10, int64(bits[i]/bpp)); prio[i] != 0 && prio[i] != want {
			t.Fatalf("row %d: priority %d from %.2f bits, want %d", i, prio[i], bits[i], want)
		}
	}
	vpn := storyRows(t, tb, truth, "S2-insider-label-downgrade", "SigninLogs")
	if len(vpn) != 1 || prio[vpn[0]] != 10 {
		t.Fatalf("insider VPN sign-in rows %v, want one at priority 10", vpn)
	}
	for _, i := range storyRows(t, tb, truth, "S1-account-takeover", "SigninLogs") {
		if prio[i] != 10 {
			t.Errorf("takeover sign-in priority %d, want 10", prio[i])
		}
		if bits[i] <= bits[vpn[0]] {
			t.Errorf("takeover sign-in %.1f bits, insider VPN sign-in %.1f: the takeover should rank above", bits[i], bits[vpn[0]])
		}
		above := 0
		for _, b := range bits {
			if b > bits[i] {
				above++
			}
		}
		if float64(above) >= 0.01*float64(len(bits)) {
			t.Errorf("takeover sign-in at %.1f bits: %d of %d rows rank above, want the top 1%%", bits[i], above, len(bits))
		}
	}
}
