package ueba

import (
	"math"
	"slices"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
	"gonum.org/v1/gonum/mathext"
)

// dim is a dimension of behaviour a baseline counts values of.
type dim uint8

const (
	dimAction dim = iota
	dimApp
	dimBrowser
	dimCountry
	dimDevice
	dimISP
	dimResource
	nDims
)

// insightNames are Sentinel's ActivityInsights fields per dimension, in
// the order: first time for the user, uncommon for the user, uncommon
// among the user's peers, first time in the tenant, uncommon in the tenant.
var insightNames = [nDims][5]string{
	dimAction:   {"FirstTimeUserPerformedAction", "ActionUncommonlyPerformedByUser", "ActionUncommonlyPerformedAmongPeers", "FirstTimeActionPerformedInTenant", "ActionUncommonlyPerformedInTenant"},
	dimApp:      {"FirstTimeUserUsedApp", "AppUncommonlyUsedByUser", "AppUncommonlyUsedAmongPeers", "FirstTimeAppObservedInTenant", "AppUncommonlyUsedInTenant"},
	dimBrowser:  {"FirstTimeUserConnectedViaBrowser", "BrowserUncommonlyUsedByUser", "BrowserUncommonlyUsedAmongPeers", "FirstTimeBrowserObservedInTenant", "BrowserUncommonlyUsedInTenant"},
	dimCountry:  {"FirstTimeUserConnectedFromCountry", "CountryUncommonlyConnectedFromByUser", "CountryUncommonlyConnectedFromAmongPeers", "FirstTimeConnectionFromCountryObservedInTenant", "CountryUncommonlyConnectedFromInTenant"},
	dimDevice:   {"FirstTimeUserConnectedFromDevice", "DeviceUncommonlyUsedByUser", "DeviceUncommonlyUsedAmongPeers", "FirstTimeDeviceObservedInTenant", "DeviceUncommonlyUsedInTenant"},
	dimISP:      {"FirstTimeUserConnectedViaISP", "ISPUncommonlyUsedByUser", "ISPUncommonlyUsedAmongPeers", "FirstTimeConnectionViaISPInTenant", "ISPUncommonlyUsedInTenant"},
	dimResource: {"FirstTimeUserAccessedResource", "ResourceUncommonlyAccessedByUser", "ResourceUncommonlyAccessedAmongPeers", "FirstTimeResourceAccessedInTenant", "ResourceUncommonlyAccessedInTenant"},
}

// Insight bits: dimension d's k-th insight is bit 5*d+k; then high volume.
const (
	insFirstUser = iota
	insUncommonUser
	insUncommonPeers
	insFirstTenant
	insUncommonTenant
	flagHighVolume    = uint64(1) << (5 * nDims)
	highVolumeInsight = "UncommonHighVolumeOfActions"
)

func insightBit(d dim, k int) uint64 { return uint64(1) << (5*uint(d) + uint(k)) }

// sourceDims are the dimensions each source table has values for.
var sourceDims = [nSources][]dim{
	SourceSignin:   {dimApp, dimBrowser, dimCountry, dimDevice, dimISP, dimResource},
	SourceAudit:    {dimAction, dimApp, dimCountry, dimISP},
	SourceOffice:   {dimAction, dimApp, dimBrowser, dimCountry, dimISP, dimResource},
	SourceCloudApp: {dimAction, dimApp, dimBrowser, dimCountry, dimISP, dimResource},
	SourceAzure:    {dimAction, dimCountry, dimISP, dimResource},
}

func (a *Activity) value(d dim) string {
	switch d {
	case dimAction:
		return a.ActionType
	case dimApp:
		return a.App
	case dimBrowser:
		return a.Browser
	case dimCountry:
		return a.Country
	case dimDevice:
		return a.Device
	case dimISP:
		return a.ISP
	case dimResource:
		return a.Resource
	}
	return ""
}

// vc is a value and how often it was seen.
type vc struct {
	v int32
	c uint32
}

// counts is a small multiset of values; accounts use few values per
// dimension, so a slice beats a map.
type counts []vc

func (s counts) get(v int32) uint32 {
	for _, x := range s {
		if x.v == v {
			return x.c
		}
	}
	return 0
}

func (s counts) add(v int32, c int64) counts {
	for i := range s {
		if s[i].v == v {
			s[i].c = uint32(int64(s[i].c) + c)
			if s[i].c == 0 {
				s[i] = s[len(s)-1]
				s = s[:len(s)-1]
			}
			return s
		}
	}
	if c > 0 {
		s = append(s, vc{v, uint32(c)})
	}
	return s
}

// tally is what one account did over a span: values per dimension,
// activities per hour of the week and per source table.
type tally struct {
	vals  [nDims]counts
	n     [nDims]uint32
	hours counts // hour of week (0 = Sunday 00:00 UTC) -> activities
	nh    uint32
	vol   [nSources]uint32
	last  int64
}

func (t *tally) addTally(o *tally, sign int64) {
	for d := range nDims {
		for _, x := range o.vals[d] {
			t.vals[d] = t.vals[d].add(x.v, sign*int64(x.c))
		}
		t.n[d] = uint32(int64(t.n[d]) + sign*int64(o.n[d]))
	}
	for _, x := range o.hours {
		t.hours = t.hours.add(x.v, sign*int64(x.c))
	}
	t.nh = uint32(int64(t.nh) + sign*int64(o.nh))
	for s := range nSources {
		t.vol[s] = uint32(int64(t.vol[s]) + sign*int64(o.vol[s]))
	}
}

// account is one account's baseline and its cached view of its peers.
type account struct {
	key   string
	base  tally
	seen  bool  // any activity folded in
	last  int64 // last folded activity, kept past the window for dormancy
	peers []int32
	agg   *peerAgg
	today *tally // the current day's activity; nil when idle today
}

// peerAgg is an account's peers' baseline, recomputed after each fold.
type peerAgg struct {
	ver   uint32
	n     int                // peers
	share [nDims][]pshare    // values peers use, sorted by value
	nd    [nDims]int         // peers with a baseline in the dimension
	mode  [nDims + 1]float64 // cached reference probability; NaN: not yet
}

// pshare is a value's share among an account's peers; a sorted slice
// searched by value beats a map for the few values peers use.
type pshare struct {
	v int32
	s share
}

func (p *peerAgg) get(d dim, v int32) share {
	s := p.share[d]
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m].v < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(s) && s[lo].v == v {
		return s[lo].s
	}
	return share{}
}

// share is how many accounts use a value and the sum of the value's share
// of each one's activity.
type share struct {
	using uint32
	frac  float64
}

// orgBase is the tenant's baseline: per value (by id), how many accounts
// use it and the sum of its share in each account's activity.
type orgBase struct {
	share [nDims][]share
	nvals [nDims]int // values at least one account uses
	users [nDims]uint32
	hours [168]uint64
	nh    uint64
}

// dayAgg is one UTC day of activity, kept until it leaves the window:
// the accounts active that day in order of first activity, with tallies.
type dayAgg struct {
	day     int64 // ticks at 00:00 UTC
	order   []int32
	tallies []*tally
}

// scratch is one scoring goroutine's dense per-value accumulator for
// building peer aggregates.
type scratch struct {
	acc     [nDims][]share
	touched [nDims][]int32
}

// Baseline holds per-account, peer and tenant baselines over a sliding
// window of whole UTC days. Activities are scored against the days before
// their own; Fold adds a finished day and drops the one that leaves the
// window, touching only the accounts active on those days. Its state can
// be saved and loaded (see state.go), so a later build folds in only new
// days.
type Baseline struct {
	opts    Options
	vals    [nDims]map[string]int32
	names   [nDims][]string // value by id
	keys    map[string]int32
	accts   []*account
	org     orgBase
	days    []*dayAgg
	cur     *dayAgg
	version uint32
	serial  scratch
}

// NewBaseline makes an empty baseline.
func NewBaseline(opts Options) *Baseline {
	opts = opts.withDefaults()
	b := &Baseline{opts: opts, keys: map[string]int32{}}
	for d := range nDims {
		b.vals[d] = map[string]int32{}
	}
	return b
}

// accountKey folds case: object ids and UPNs name one account whatever
// their case (no allocation when already lower case).
func accountKey(s string) string { return strings.ToLower(s) }

func (b *Baseline) account(key string) int32 {
	key = accountKey(key)
	if i, ok := b.keys[key]; ok {
		return i
	}
	i := int32(len(b.accts))
	b.keys[key] = i
	b.accts = append(b.accts, &account{key: key})
	return i
}

func (b *Baseline) intern(d dim, s string) int32 {
	if i, ok := b.vals[d][s]; ok {
		return i
	}
	i := int32(len(b.names[d]))
	b.vals[d][s] = i
	b.names[d] = append(b.names[d], s)
	b.org.share[d] = append(b.org.share[d], share{})
	return i
}

// SetPeers names an account's peers (UserPeerAnalytics order).
func (b *Baseline) SetPeers(account string, peers []string) {
	a := b.accts[b.account(account)]
	a.peers = a.peers[:0]
	for _, p := range peers {
		a.peers = append(a.peers, b.account(p))
	}
	a.agg = nil
}

// Days is how many days the baseline holds.
func (b *Baseline) Days() int { return len(b.days) }

func dayOf(t int64) int64 { return floorDiv(t, types.Day) * types.Day }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func hourOfWeek(t int64) int32 {
	// 1970-01-01 was a Thursday: day 0 of the epoch is weekday 4
	days := floorDiv(t, types.Day)
	wd := (days + 4) % 7
	h := floorDiv(t, types.Hour) - days*24
	return int32(wd*24 + h)
}

// Fold ends the current day: its activity joins the baseline, and days
// older than the window leave it.
func (b *Baseline) Fold() {
	day := b.cur
	if day == nil {
		return
	}
	b.cur = nil
	for k, ai := range day.order {
		t := day.tallies[k]
		a := b.accts[ai]
		a.today = nil
		b.orgRemove(a)
		a.base.addTally(t, 1)
		a.seen = true
		a.last = max(a.last, t.last)
		b.orgAdd(a)
		for _, x := range t.hours {
			b.org.hours[x.v] += uint64(x.c)
			b.org.nh += uint64(x.c)
		}
	}
	b.days = append(b.days, day)
	for len(b.days) > 0 && b.days[0].day <= day.day-int64(b.opts.BaselineDays)*types.Day {
		old := b.days[0]
		b.days = b.days[1:]
		for k, ai := range old.order {
			t := old.tallies[k]
			a := b.accts[ai]
			b.orgRemove(a)
			a.base.addTally(t, -1)
			b.orgAdd(a)
			for _, x := range t.hours {
				b.org.hours[x.v] -= uint64(x.c)
				b.org.nh -= uint64(x.c)
			}
		}
	}
	b.version++
}

func (b *Baseline) orgRemove(a *account) {
	for d := range nDims {
		n := a.base.n[d]
		if n == 0 {
			continue
		}
		b.org.users[d]--
		m := b.org.share[d]
		for _, x := range a.base.vals[d] {
			s := m[x.v]
			if s.using == 1 {
				m[x.v] = share{} // exact zero, no drift
				b.org.nvals[d]--
				continue
			}
			m[x.v] = share{s.using - 1, s.frac - float64(x.c)/float64(n)}
		}
	}
}

func (b *Baseline) orgAdd(a *account) {
	for d := range nDims {
		n := a.base.n[d]
		if n == 0 {
			continue
		}
		b.org.users[d]++
		m := b.org.share[d]
		for _, x := range a.base.vals[d] {
			s := m[x.v]
			if s.using == 0 {
				b.org.nvals[d]++
			}
			m[x.v] = share{s.using + 1, s.frac + float64(x.c)/float64(n)}
		}
	}
}

// peerAggregate returns an account's peers' baseline as of the last fold,
// accumulating in sc (peers' bases do not change within a day, so
// goroutines scoring different accounts may build theirs at once).
func (b *Baseline) peerAggregate(a *account, sc *scratch) *peerAgg {
	if a.agg != nil && a.agg.ver == b.version {
		return a.agg
	}
	p := a.agg
	if p == nil {
		p = &peerAgg{}
		a.agg = p
	}
	p.ver, p.n = b.version, len(a.peers)
	for i := range p.mode {
		p.mode[i] = math.NaN()
	}
	for d := range nDims {
		if need := len(b.names[d]); len(sc.acc[d]) < need {
			sc.acc[d] = append(sc.acc[d], make([]share, need-len(sc.acc[d]))...)
		}
		p.nd[d] = 0
	}
	for _, pi := range a.peers {
		pb := &b.accts[pi].base
		for d := range nDims {
			n := pb.n[d]
			if n == 0 {
				continue
			}
			p.nd[d]++
			acc := sc.acc[d]
			for _, x := range pb.vals[d] {
				s := &acc[x.v]
				if s.using == 0 {
					sc.touched[d] = append(sc.touched[d], x.v)
				}
				s.using++
				s.frac += float64(x.c) / float64(n)
			}
		}
	}
	for d := range nDims {
		t := sc.touched[d]
		slices.Sort(t)
		out := p.share[d][:0]
		for _, v := range t {
			out = append(out, pshare{v, sc.acc[d][v]})
			sc.acc[d][v] = share{}
		}
		p.share[d] = out
		sc.touched[d] = t[:0]
	}
	return p
}

// orgShare is the tenant's share of value v in dimension d.
func (b *Baseline) orgShare(d dim, v int32) share { return b.org.share[d][v] }

// prob of value v in dimension d for account a: smoothed tenant, peer
// and user estimates, each backing off to the next wider.
func (b *Baseline) prob(a *account, p *peerAgg, d dim, v int32) (pUser float64) {
	return b.probOf(a, p, d, a.base.vals[d].get(v), b.orgShare(d, v), p.get(d, v))
}

// probOf is prob with the value's counts already looked up.
func (b *Baseline) probOf(a *account, p *peerAgg, d dim, c uint32, org, peers share) float64 {
	o := b.opts
	U, K := float64(b.org.users[d]), float64(b.org.nvals[d])
	pOrg := (org.frac + o.TenantPrior) / (U + o.TenantPrior*(K+1))
	pPeer := (peers.frac + o.PeerPrior*pOrg) / (float64(p.nd[d]) + o.PeerPrior)
	return (float64(c) + o.UserPrior*pPeer) / (float64(a.base.n[d]) + o.UserPrior)
}

// reference is the probability of the account's most usual value: the
// surprisal of an activity is measured against it, so an account with
// two equally usual devices is not surprising on either.
func (b *Baseline) reference(a *account, p *peerAgg, d dim) float64 {
	if !math.IsNaN(p.mode[d]) {
		return p.mode[d]
	}
	ref := 1.0
	if len(a.base.vals[d]) > 0 {
		best := a.base.vals[d][0]
		for _, x := range a.base.vals[d][1:] {
			if x.c > best.c || (x.c == best.c && x.v < best.v) {
				best = x
			}
		}
		ref = b.prob(a, p, d, best.v)
	}
	p.mode[d] = ref
	return ref
}

func (b *Baseline) hourProb(a *account, h int32) float64 {
	pOrg := (float64(b.org.hours[h]) + 1) / (float64(b.org.nh) + 168)
	return (float64(a.base.hours.get(h)) + b.opts.UserPrior*2*pOrg) / (float64(a.base.nh) + b.opts.UserPrior*2)
}

func (b *Baseline) hourReference(a *account, p *peerAgg) float64 {
	if !math.IsNaN(p.mode[nDims]) {
		return p.mode[nDims]
	}
	ref := 1.0
	if len(a.base.hours) > 0 {
		best := a.base.hours[0]
		for _, x := range a.base.hours[1:] {
			if x.c > best.c || (x.c == best.c && x.v < best.v) {
				best = x
			}
		}
		ref = b.hourProb(a, best.v)
	}
	p.mode[nDims] = ref
	return ref
}

// Score is what the baseline says about one activity.
type Score struct {
	Dims     uint8   // bit d: dimension d had a value
	Flags    uint64  // insight bits (insightBit, flagHighVolume)
	Bits     float64 // surprisal in bits beyond the account's usual
	Priority int     // InvestigationPriority, 0-10
	Dormant  bool    // no activity for Options.DormantDays before this one
	HourBits float64 // the part of Bits due to the hour of the week
	VolBits  float64 // the part of Bits due to the day's volume
}

// noValue marks a dimension the activity has no value in.
const noValue = -1

// enterDay makes the day of t current, folding the previous one when t
// starts a new day; an activity late by less than a day counts in the
// current day. It returns the current day.
func (b *Baseline) enterDay(t int64) *dayAgg {
	day := dayOf(t)
	if b.cur != nil && day > b.cur.day {
		b.Fold()
	}
	if b.cur == nil {
		b.cur = &dayAgg{day: day}
	}
	return b.cur
}

// activate gives account ai a tally for the current day.
func (b *Baseline) activate(ai int32) {
	a := b.accts[ai]
	if a.today == nil {
		a.today = &tally{}
		b.cur.order = append(b.cur.order, ai)
		b.cur.tallies = append(b.cur.tallies, a.today)
	}
}

// Score scores an activity against the days before its own, then counts
// it into its day. Activities must come in time order.
func (b *Baseline) Score(act *Activity) Score {
	b.enterDay(act.Time)
	ai := b.account(act.Account)
	b.activate(ai)
	var vals [nDims]int32
	for d := range nDims {
		vals[d] = noValue
	}
	for _, d := range sourceDims[act.Source] {
		if s := act.value(d); s != "" {
			vals[d] = b.intern(d, s)
		}
	}
	return b.score(&b.serial, ai, &vals, act)
}

// score scores one activity of account ai whose values are interned in
// vals. Only the account's own state changes, so goroutines may score
// different accounts of one day at once.
func (b *Baseline) score(sc *scratch, ai int32, vals *[nDims]int32, act *Activity) Score {
	a := b.accts[ai]
	p := b.peerAggregate(a, sc)
	o := b.opts
	var s Score
	today := a.today
	for _, d := range sourceDims[act.Source] {
		v := vals[d]
		if v == noValue {
			continue
		}
		s.Dims |= 1 << d
		today.vals[d] = today.vals[d].add(v, 1)
		today.n[d]++

		c, n := a.base.vals[d].get(v), a.base.n[d]
		org, peers := b.orgShare(d, v), p.get(d, v)
		if n > 0 {
			if c == 0 {
				s.Flags |= insightBit(d, insFirstUser)
			}
			if float64(c) < o.UncommonShare*float64(n) {
				s.Flags |= insightBit(d, insUncommonUser)
			}
		}
		if p.n > 0 && float64(peers.using) < o.UncommonShare*float64(p.n) {
			s.Flags |= insightBit(d, insUncommonPeers)
		}
		if U := b.org.users[d]; U > 0 {
			using := org.using
			if using == 0 {
				s.Flags |= insightBit(d, insFirstTenant)
			}
			if float64(using) < o.UncommonShare*float64(U) {
				s.Flags |= insightBit(d, insUncommonTenant)
			}
		}
		if ex := math.Log2(b.reference(a, p, d) / b.probOf(a, p, d, c, org, peers)); ex > 0 {
			s.Bits += ex
		}
	}
	h := hourOfWeek(act.Time)
	today.hours = today.hours.add(h, 1)
	today.nh++
	if ex := math.Log2(b.hourReference(a, p) / b.hourProb(a, h)); ex > 0 {
		s.HourBits = o.HourWeight * ex
		s.Bits += s.HourBits
	}
	today.vol[act.Source]++
	today.last = max(today.last, act.Time)
	if days := len(b.days); days > 0 {
		k := float64(today.vol[act.Source])
		lambda := max(float64(a.base.vol[act.Source]), 0.5) / float64(days)
		if k >= 3 && k > 2*lambda {
			// P(X >= k) for X ~ Poisson(lambda) is the regularised lower
			// incomplete gamma function P(k, lambda)
			tail := mathext.GammaIncReg(k, lambda)
			s.VolBits = min(-math.Log2(max(tail, 1e-300)), o.MaxVolumeBits)
			s.Bits += s.VolBits
			if tail < o.HighVolumeP {
				s.Flags |= flagHighVolume
			}
		}
	}
	if a.seen {
		s.Dormant = act.Time-a.last >= int64(o.DormantDays)*types.Day
	} else if len(b.days) > 0 {
		s.Dormant = act.Time-b.days[0].day >= int64(o.DormantDays)*types.Day
	}
	if len(b.days) >= o.MinBaselineDays {
		s.Priority = min(10, int(s.Bits/o.BitsPerPoint))
	}
	return s
}
