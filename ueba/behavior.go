package ueba

import (
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Table names and their Sentinel schemas (kql/schemas/data).
const (
	BehaviorAnalyticsTable   = "BehaviorAnalytics"
	UserPeerAnalyticsTable   = "UserPeerAnalytics"
	UserAccessAnalyticsTable = "UserAccessAnalytics"
)

func newTable(name string) *table.Table {
	s, ok := schemas.Lookup(name)
	if !ok {
		panic("ueba: no built-in schema for " + name)
	}
	return table.New(name, s)
}

// accountInfo is what UsersInsights says about an account.
type accountInfo struct {
	id, upn, name, sam string
	created            int64
	blast              string
	bags               [4]*types.Bag // by dormant, new
}

// tiInfo is a threat indicator an address matches, for DevicesInsights.
type tiInfo struct{ kind, description string }

// PriorityBitsColumn is the column huntbook adds to BehaviorAnalytics:
// the surprisal in bits InvestigationPriority is made from. The priority
// stops at 10 (Sentinel's range); the bits keep ordering the activities
// past the cap.
const PriorityBitsColumn = "InvestigationPriorityBits"

// newBehaviorTable is Sentinel's BehaviorAnalytics schema plus
// PriorityBitsColumn.
func newBehaviorTable() *table.Table {
	t := newTable(BehaviorAnalyticsTable)
	t.Columns = append(t.Columns, table.NewColumn(PriorityBitsColumn, types.Real, 0))
	return t
}

// behaviorWriter fills BehaviorAnalytics rows in place, from several
// goroutines at once: each owns some accounts and has its own caches of
// the dynamic values that repeat (insight bags by flag set, device bags,
// locations), so no row allocates once its values have been seen.
type behaviorWriter struct {
	t         *table.Table
	opts      Options
	processed int64
	accounts  map[string]*accountInfo // by lower-case account key
	byAcct    []*accountInfo          // by Baseline account id
	ti        map[string]tiInfo
	caches    []*rowCache
	cols      behaviorCols
	// Priorities counts rows per InvestigationPriority.
	Priorities [11]int
}

type devKey struct{ browser, os, isp, ua, tiKind, tiDesc string }

type rowCache struct {
	insights map[uint64]*types.Bag
	devices  map[devKey]*types.Bag
	locs     map[[2]string]string
	prio     [11]int
}

// behaviorCols are the table's value slices, grown for a day's rows.
type behaviorCols struct {
	actionType, activityType, actorName, actorUPN, destDevice, destIP, destLoc, device, productVersion,
	eventSource, eventVendor, nativeTable, sourceDevice, sourceIP, sourceLoc, recordID, sourceSystem,
	targetName, targetUPN, tenant, typ, userName, upn []string
	activityInsights, devicesInsights, usersInsights []any
	priority, timeGenerated, timeProcessed           []int64
	bits                                             []float64
}

func newBehaviorWriter(opts Options, processed int64, accounts map[string]*accountInfo, ti map[string]tiInfo) *behaviorWriter {
	w := &behaviorWriter{t: newBehaviorTable(), opts: opts, processed: processed, accounts: accounts, ti: ti}
	return w
}

// grow makes room for n more rows and returns the first new row.
func (w *behaviorWriter) grow(n int) int {
	first := w.t.Rows()
	for _, c := range w.t.Columns {
		switch table.Storage(c.Type) {
		case table.StoreStrs:
			c.Strs = slices.Grow(c.Strs, n)[:first+n]
			c.Dict, c.Codes = nil, nil
		case table.StoreDyns:
			c.Dyns = slices.Grow(c.Dyns, n)[:first+n]
			c.DynDict, c.Codes = nil, nil
		case table.StoreInts:
			c.Ints = slices.Grow(c.Ints, n)[:first+n]
		case table.StoreReals:
			c.Reals = slices.Grow(c.Reals, n)[:first+n]
		}
		if c.Nulls != nil {
			c.Nulls = append(c.Nulls, make([]bool, n)...)
		}
	}
	col := func(name string) *table.Column {
		c := w.t.Column(name)
		if c == nil {
			panic("ueba: BehaviorAnalytics has no column " + name)
		}
		return c
	}
	s := func(name string) []string { return col(name).Strs }
	d := func(name string) []any { return col(name).Dyns }
	i := func(name string) []int64 { return col(name).Ints }
	w.cols = behaviorCols{
		actionType: s("ActionType"), activityType: s("ActivityType"), actorName: s("ActorName"), actorUPN: s("ActorPrincipalName"),
		destDevice: s("DestinationDevice"), destIP: s("DestinationIPAddress"), destLoc: s("DestinationIPLocation"), device: s("Device"),
		productVersion: s("EventProductVersion"), eventSource: s("EventSource"), eventVendor: s("EventVendor"), nativeTable: s("NativeTableName"),
		sourceDevice: s("SourceDevice"), sourceIP: s("SourceIPAddress"), sourceLoc: s("SourceIPLocation"), recordID: s("SourceRecordId"),
		sourceSystem: s("SourceSystem"), targetName: s("TargetName"), targetUPN: s("TargetPrincipalName"), tenant: s("TenantId"),
		typ: s("Type"), userName: s("UserName"), upn: s("UserPrincipalName"),
		activityInsights: d("ActivityInsights"), devicesInsights: d("DevicesInsights"), usersInsights: d("UsersInsights"),
		priority: i("InvestigationPriority"), timeGenerated: i("TimeGenerated"), timeProcessed: i("TimeProcessed"),
		bits: col(PriorityBitsColumn).Reals,
	}
	return first
}

// ready sizes the per-account and per-goroutine state before a day's
// rows are filled: accounts the baseline added get their directory entry.
func (w *behaviorWriter) ready(b *Baseline, workers int) {
	for ai := len(w.byAcct); ai < len(b.accts); ai++ {
		w.byAcct = append(w.byAcct, w.accounts[b.accts[ai].key])
	}
	for len(w.caches) < workers {
		w.caches = append(w.caches, &rowCache{insights: map[uint64]*types.Bag{}, devices: map[devKey]*types.Bag{}, locs: map[[2]string]string{}})
	}
}

// done adds up the goroutines' priority counts.
func (w *behaviorWriter) done() {
	for _, c := range w.caches {
		for p, n := range c.prio {
			w.Priorities[p] += n
		}
		c.prio = [11]int{}
	}
}

// activityInsights is the ActivityInsights bag for a flag set: every
// insight of the dimensions the activity has, true or false.
func (c *rowCache) activityInsights(s Score) *types.Bag {
	key := s.Flags | uint64(s.Dims)<<56
	if b, ok := c.insights[key]; ok {
		return b
	}
	b := types.NewBag()
	for d := range nDims {
		if s.Dims&(1<<d) == 0 {
			continue
		}
		for k, name := range insightNames[d] {
			b.Set(name, s.Flags&insightBit(d, k) != 0)
		}
	}
	b.Set(highVolumeInsight, s.Flags&flagHighVolume != 0)
	c.insights[key] = b
	return b
}

// usersInsights is the account's UsersInsights bag; only the goroutine
// owning account ai calls it.
func (w *behaviorWriter) usersInsights(ai int32, a *Activity, s Score) *types.Bag {
	info := w.byAcct[ai]
	if info == nil {
		info = &accountInfo{id: a.Account, upn: a.UPN, name: a.DisplayName, blast: "Low"}
		w.byAcct[ai] = info
	}
	isNew := info.created != 0 && a.Time-info.created < int64(w.opts.NewAccountDays)*types.Day
	k := 0
	if s.Dormant {
		k |= 1
	}
	if isNew {
		k |= 2
	}
	if b := info.bags[k]; b != nil {
		return b
	}
	b := types.NewBag()
	b.Set("AccountDisplayName", info.name)
	b.Set("AccountObjectID", info.id)
	b.Set("BlastRadius", info.blast)
	b.Set("IsDormantAccount", s.Dormant)
	b.Set("IsNewAccount", isNew)
	if info.sam != "" {
		b.Set("OnPremisesSAMAccountName", info.sam)
	}
	info.bags[k] = b
	return b
}

func (w *behaviorWriter) devicesInsights(c *rowCache, a *Activity) *types.Bag {
	ti := w.ti[a.IP]
	key := devKey{a.Browser, a.OS, a.ISP, a.UserAgent, ti.kind, ti.description}
	if b, ok := c.devices[key]; ok {
		return b
	}
	b := types.NewBag()
	if a.Browser != "" {
		b.Set("Browser", a.Browser)
	}
	if fam := deviceFamily(a.OS); fam != "" {
		b.Set("DeviceFamily", fam)
	}
	if a.ISP != "" {
		b.Set("ISP", a.ISP)
	}
	if a.OS != "" {
		b.Set("OperatingSystem", a.OS)
	}
	if ti.kind != "" {
		b.Set("ThreatIntelIndicatorType", ti.kind)
		b.Set("ThreatIntelIndicatorDescription", ti.description)
	}
	if fam := uaFamily(a.UserAgent); fam != "" {
		b.Set("UserAgentFamily", fam)
	}
	c.devices[key] = b
	return b
}

func (c *rowCache) location(a *Activity) string {
	if a.City == "" || a.Country == "" {
		return a.Country
	}
	key := [2]string{a.City, a.Country}
	if l, ok := c.locs[key]; ok {
		return l
	}
	l := a.City + ", " + a.Country
	c.locs[key] = l
	return l
}

func deviceFamily(os string) string {
	l := strings.ToLower(os)
	switch {
	case strings.HasPrefix(l, "windows"):
		return "Windows"
	case strings.HasPrefix(l, "mac"):
		return "Mac"
	case strings.HasPrefix(l, "ios"):
		return "iOS"
	case strings.HasPrefix(l, "android"):
		return "Android"
	case strings.HasPrefix(l, "linux"):
		return "Linux"
	}
	return os
}

func uaFamily(ua string) string {
	b := uaBrowser(ua)
	if i := strings.LastIndexByte(b, ' '); i > 0 {
		if _, err := strconv.Atoi(b[i+1:]); err == nil {
			return b[:i]
		}
	}
	return b
}

// fill writes row r from goroutine wk: activity a of account ai, scored s.
func (w *behaviorWriter) fill(wk, r int, ai int32, a *Activity, s Score) {
	c, col := w.caches[wk], &w.cols
	c.prio[s.Priority]++
	user, _, _ := strings.Cut(a.UPN, "@")
	if user == "" {
		user = a.DisplayName
	}
	target := a.Target
	if target == "" {
		target = a.Resource
	}
	col.actionType[r] = a.ActionType
	col.activityInsights[r] = c.activityInsights(s)
	col.activityType[r] = a.ActivityType
	col.actorName[r] = a.DisplayName
	col.actorUPN[r] = a.UPN
	col.destDevice[r], col.destIP[r], col.destLoc[r] = "", "", ""
	col.device[r] = a.Device
	col.devicesInsights[r] = w.devicesInsights(c, a)
	col.productVersion[r] = ""
	col.eventSource[r] = sourceEvent[a.Source]
	col.eventVendor[r] = "Microsoft"
	col.priority[r] = int64(s.Priority)
	col.bits[r] = s.Bits
	col.nativeTable[r] = sourceTables[a.Source]
	col.sourceDevice[r] = a.Device
	col.sourceIP[r] = a.IP
	col.sourceLoc[r] = c.location(a)
	col.recordID[r] = a.RecordID
	col.sourceSystem[r] = "huntbook"
	col.targetName[r] = target
	col.targetUPN[r] = a.TargetUPN
	col.tenant[r] = a.TenantID
	col.timeGenerated[r] = a.Time
	col.timeProcessed[r] = w.processed
	col.typ[r] = BehaviorAnalyticsTable
	col.userName[r] = user
	col.upn[r] = a.UPN
	col.usersInsights[r] = w.usersInsights(ai, a, s)
}

// writeDay scores one day's activities on the baseline and appends their
// rows, in the activities' order.
func (w *behaviorWriter) writeDay(b *Baseline, acts []Activity, workers int) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	first := w.grow(len(acts))
	b.scoreDay(acts, workers, func() { w.ready(b, workers) }, func(wk, i int, ai int32, s Score) {
		w.fill(wk, first+i, ai, &acts[i], s)
	})
	w.done()
}
