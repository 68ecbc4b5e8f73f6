package ueba

import (
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

// behaviorWriter appends BehaviorAnalytics rows, sharing the dynamic
// values that repeat: insight bags by flag set, user and device bags.
type behaviorWriter struct {
	t         *table.Table
	cols      map[string]*table.Column
	opts      Options
	processed int64
	accounts  map[string]*accountInfo
	ti        map[string]tiInfo
	insights  map[uint64]*types.Bag
	devices   map[string]*types.Bag
	// Priorities counts rows per InvestigationPriority.
	Priorities [11]int
}

func newBehaviorWriter(opts Options, processed int64, accounts map[string]*accountInfo, ti map[string]tiInfo) *behaviorWriter {
	w := &behaviorWriter{t: newTable(BehaviorAnalyticsTable), cols: map[string]*table.Column{}, opts: opts, processed: processed,
		accounts: accounts, ti: ti, insights: map[uint64]*types.Bag{}, devices: map[string]*types.Bag{}}
	for _, c := range w.t.Columns {
		w.cols[c.Name] = c
	}
	return w
}

// activityInsights is the ActivityInsights bag for a flag set: every
// insight of the dimensions the activity has, true or false.
func (w *behaviorWriter) activityInsights(s Score) *types.Bag {
	key := s.Flags | uint64(s.Dims)<<56
	if b, ok := w.insights[key]; ok {
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
	w.insights[key] = b
	return b
}

func (w *behaviorWriter) usersInsights(a *Activity, s Score) *types.Bag {
	info := w.accounts[strings.ToLower(a.Account)]
	if info == nil {
		info = &accountInfo{id: a.Account, upn: a.UPN, name: a.DisplayName, blast: "Low"}
		w.accounts[strings.ToLower(a.Account)] = info
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

func (w *behaviorWriter) devicesInsights(a *Activity) *types.Bag {
	ti := w.ti[a.IP]
	key := a.Browser + "\x00" + a.OS + "\x00" + a.ISP + "\x00" + a.UserAgent + "\x00" + ti.kind + "\x00" + ti.description
	if b, ok := w.devices[key]; ok {
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
	w.devices[key] = b
	return b
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

func (w *behaviorWriter) str(col, v string) { w.cols[col].Append(types.NewString(v)) }

// add appends one scored activity.
func (w *behaviorWriter) add(a *Activity, s Score) {
	w.Priorities[s.Priority]++
	user, _, _ := strings.Cut(a.UPN, "@")
	if user == "" {
		user = a.DisplayName
	}
	w.str("ActionType", a.ActionType)
	w.cols["ActivityInsights"].Append(types.NewDynamic(w.activityInsights(s)))
	w.str("ActivityType", a.ActivityType)
	w.str("ActorName", a.DisplayName)
	w.str("ActorPrincipalName", a.UPN)
	w.str("DestinationDevice", "")
	w.str("DestinationIPAddress", "")
	w.str("DestinationIPLocation", "")
	w.str("Device", a.Device)
	w.cols["DevicesInsights"].Append(types.NewDynamic(w.devicesInsights(a)))
	w.str("EventProductVersion", "")
	w.str("EventSource", sourceEvent[a.Source])
	w.str("EventVendor", "Microsoft")
	w.cols["InvestigationPriority"].Append(types.NewInt(int64(s.Priority)))
	w.str("NativeTableName", a.Source.String())
	w.str("SourceDevice", a.Device)
	w.str("SourceIPAddress", a.IP)
	loc := a.Country
	if a.City != "" && loc != "" {
		loc = a.City + ", " + loc
	}
	w.str("SourceIPLocation", loc)
	w.str("SourceRecordId", a.RecordID)
	w.str("SourceSystem", "huntbook")
	target := a.Target
	if target == "" {
		target = a.Resource
	}
	w.str("TargetName", target)
	w.str("TargetPrincipalName", a.TargetUPN)
	w.str("TenantId", a.TenantID)
	w.cols["TimeGenerated"].Append(types.NewDateTime(a.Time))
	w.cols["TimeProcessed"].Append(types.NewDateTime(w.processed))
	w.str("Type", BehaviorAnalyticsTable)
	w.str("UserName", user)
	w.str("UserPrincipalName", a.UPN)
	w.cols["UsersInsights"].Append(types.NewDynamic(w.usersInsights(a, s)))
}
