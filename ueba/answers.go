package ueba

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"gonum.org/v1/gonum/graph/layout"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Answer is what huntbook says about one entity: a table and a picture.
type Answer struct {
	Table   *table.Table
	Picture *Picture
}

// AnomalousPriority is the InvestigationPriority from which a timeline
// marks an activity anomalous (2^(3*4) = 4096 times less likely than usual).
const AnomalousPriority = 3

// Peers answers with a user's ranked peers (rank, peer, similarity, the
// groups they share) and the peer graph: the user in the middle, peers
// around at a distance of 1 - similarity, coloured by department, with
// the peers that are also each other's peers linked.
func (t *Tables) Peers(user string) (*Answer, error) {
	u, peers, err := t.PeersOf(user)
	if err != nil {
		return nil, err
	}
	tbl := table.New("Peers", types.Schema{
		{Name: "Rank", Type: types.Int}, {Name: "PeerUserPrincipalName", Type: types.String}, {Name: "PeerUserName", Type: types.String},
		{Name: "Department", Type: types.String}, {Name: "Similarity", Type: types.Real}, {Name: "SharedGroups", Type: types.Dynamic},
	})
	for _, p := range peers {
		shared := make([]any, len(p.Shared))
		for i, s := range p.Shared {
			shared[i] = s
		}
		tbl.AppendRow([]types.Value{types.NewInt(int64(p.Rank)), types.NewString(p.User.UPN), types.NewString(p.User.DisplayName),
			types.NewString(p.User.Department), types.NewReal(math.Round(p.Similarity*1e4) / 1e4), types.NewDynamic(shared)})
	}
	depts := map[string]color.RGBA{}
	deptColor := func(d string) color.RGBA {
		if c, ok := depts[d]; ok {
			return c
		}
		c := palette[len(depts)%len(palette)]
		depts[d] = c
		return c
	}
	g := &graphPlotter{nodes: []drawNode{{label: u.DisplayName, fill: deptColor(u.Department), radius: 9, bold: true}}}
	index := map[string]int{strings.ToLower(u.ID): 0}
	for i, p := range peers {
		ang := 2 * math.Pi * float64(i) / float64(max(len(peers), 1))
		r := 0.15 + (1 - p.Similarity)
		g.nodes = append(g.nodes, drawNode{x: r * math.Cos(ang), y: r * math.Sin(ang), label: fmt.Sprintf("%d. %s", p.Rank, p.User.DisplayName),
			fill: deptColor(p.User.Department), radius: 6})
		index[strings.ToLower(p.User.ID)] = i + 1
		g.edges = append(g.edges, drawEdge{a: 0, b: i + 1, label: fmt.Sprintf("%.2f", p.Similarity),
			width: vg.Length(0.5 + 2.5*p.Similarity), color: color.NRGBA{66, 133, 244, 200}})
	}
	for i, p := range peers {
		for _, q := range t.peers[strings.ToLower(p.User.ID)] {
			if j, ok := index[strings.ToLower(t.Directory.Users[q.Peer].ID)]; ok && j > i+1 {
				g.edges = append(g.edges, drawEdge{a: i + 1, b: j, width: 0.25, color: color.NRGBA{180, 180, 180, 70}})
			}
		}
	}
	pl := graphPlot("Peers of " + u.UPN + " (distance = 1 - cosine similarity)")
	pl.Add(g)
	names := make([]string, 0, len(depts))
	for d := range depts {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		pl.Legend.Add(d, legendGlyph{depts[d]})
	}
	return &Answer{Table: tbl, Picture: &Picture{Plot: pl, Width: 22 * vg.Centimeter, Height: 18 * vg.Centimeter}}, nil
}

// BlastRadius answers with everything a user or service principal can
// reach (level, type, sensitivity, classifications, labels and the
// shortest path), most sensitive first, and the blast-radius graph laid
// out by gonum's Eades force-directed layout: nodes coloured by kind,
// resources by sensitivity, edges labelled with the access they give.
func (t *Tables) BlastRadius(principal string) (*Answer, error) {
	b, err := t.BlastOf(principal)
	if err != nil {
		return nil, err
	}
	tbl := table.New("BlastRadius", types.Schema{
		{Name: "TargetEntityName", Type: types.String}, {Name: "TargetEntityType", Type: types.String},
		{Name: "AccessLevel", Type: types.String}, {Name: "AccessType", Type: types.String},
		{Name: "Sensitivity", Type: types.Real}, {Name: "Classifications", Type: types.Dynamic}, {Name: "Labels", Type: types.Dynamic},
		{Name: "Hops", Type: types.Long}, {Name: "Path", Type: types.String},
		{Name: "BlastRadius", Type: types.String}, {Name: "WeightedBlastRadius", Type: types.Real},
	})
	acc := append([]Access(nil), b.Access...)
	weight := func(a Access) float64 {
		if a.level >= levelData {
			return a.Target.Sensitivity * levelFactor[a.level]
		}
		return 0
	}
	sort.SliceStable(acc, func(i, j int) bool { return weight(acc[i]) > weight(acc[j]) })
	for _, a := range acc {
		path := []string{b.Principal.Name}
		for _, e := range a.Path {
			path = append(path, "-["+e.Label()+"]-> "+e.T.Name)
		}
		tbl.AppendRow([]types.Value{types.NewString(a.Target.Name), types.NewString(a.Target.Kind.String()),
			types.NewString(a.Level), types.NewString(a.Type), types.NewReal(math.Round(weight(a)*100) / 100),
			types.NewDynamic(anyList(a.Target.Classifications)), types.NewDynamic(anyList(a.Target.Labels)),
			types.NewLong(int64(len(a.Path))), types.NewString(strings.Join(path, " ")),
			types.NewString(b.Level), types.NewReal(math.Round(b.Sensitivity*100) / 100)})
	}
	pl := graphPlot(fmt.Sprintf("Blast radius of %s: %s, sensitivity-weighted %.1f", b.Principal.Name, b.Level, b.Sensitivity))
	pl.Add(t.blastGraph(b))
	for _, k := range []NodeKind{KindUser, KindGroup, KindServicePrincipal, KindManagedIdentity, KindManagementGroup, KindSubscription, KindResourceGroup} {
		pl.Legend.Add(k.String(), legendGlyph{kindColors[k]})
	}
	pl.Legend.Add("resource (redder: more sensitive data)", legendGlyph{sensitivityColor(1, 1)})
	return &Answer{Table: tbl, Picture: &Picture{Plot: pl, Width: 26 * vg.Centimeter, Height: 20 * vg.Centimeter}}, nil
}

func anyList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// blastGraph lays out the union of a principal's shortest access paths.
func (t *Tables) blastGraph(b BlastRadius) *graphPlotter {
	idx := map[*Node]int{}
	var nodes []*Node
	add := func(n *Node) int {
		if i, ok := idx[n]; ok {
			return i
		}
		idx[n] = len(nodes)
		nodes = append(nodes, n)
		return len(nodes) - 1
	}
	add(b.Principal)
	type ekey struct{ a, b int }
	edges := map[ekey]*Edge{}
	var order []ekey
	for _, a := range b.Access {
		for _, e := range a.Path {
			k := ekey{add(e.F), add(e.T)}
			if _, ok := edges[k]; !ok {
				edges[k] = e
				order = append(order, k)
			}
		}
	}
	ug := simple.NewUndirectedGraph()
	for i := range nodes {
		ug.AddNode(simple.Node(i))
	}
	for _, k := range order {
		if k.a != k.b && !ug.HasEdgeBetween(int64(k.a), int64(k.b)) {
			ug.SetEdge(ug.NewEdge(simple.Node(k.a), simple.Node(k.b)))
		}
	}
	eades := layout.EadesR2{Repulsion: 1, Rate: 0.05, Updates: 200, Theta: 0.2, Src: rand.NewPCG(1, 2)}
	opt := layout.NewOptimizerR2(ug, eades.Update)
	for opt.Update() {
	}
	maxS := 0.0
	for _, n := range nodes {
		maxS = math.Max(maxS, n.Sensitivity)
	}
	g := &graphPlotter{}
	for i, n := range nodes {
		p := opt.Coord2(int64(i))
		fill := kindColors[n.Kind]
		if n.Kind == KindResource {
			fill = sensitivityColor(n.Sensitivity, maxS)
		}
		label := n.Name
		if n.Kind == KindResource && n.Sensitivity > 0 {
			label = fmt.Sprintf("%s (%.0f)", n.Name, n.Sensitivity)
		}
		r := vg.Length(6)
		if i == 0 {
			r = 9
		}
		g.nodes = append(g.nodes, drawNode{x: p.X, y: p.Y, label: label, fill: fill, radius: r, bold: i == 0})
	}
	for _, k := range order {
		e := edges[k]
		c := color.RGBA{150, 150, 150, 255}
		w := vg.Length(0.6)
		if e.Kind == EdgeRole {
			c, w = color.RGBA{219, 68, 55, 255}, 1.2
		}
		label := e.Label()
		if e.Kind == EdgeContains {
			label = ""
		}
		g.edges = append(g.edges, drawEdge{a: k.a, b: k.b, label: label, width: w, color: c, arrow: true})
	}
	return g
}

// Timeline answers with a user's activities (from BehaviorAnalytics) and
// the alerts naming them (SecurityAlert), in time order, anomalous ones
// (InvestigationPriority at least AnomalousPriority) marked, and a chart
// of InvestigationPriority over time with alerts on top.
func (t *Tables) Timeline(user string) (*Answer, error) {
	ui, err := t.findUser(user)
	if err != nil {
		return nil, err
	}
	u := t.Directory.Users[ui]
	type item struct {
		at                       int64
		kind, source, action     string
		priority                 int64
		anomalous                bool
		insights                 []any
		ip, location, desc, link string
	}
	var items []item
	ba := t.BehaviorAnalytics
	c := columnsOf(ba)
	upn, at, src, action := c.str("UserPrincipalName"), c.ticks("TimeGenerated"), c.str("NativeTableName"), c.str("ActionType")
	ip, loc, target, ai := c.str("SourceIPAddress"), c.str("SourceIPLocation"), c.str("TargetName"), c.dyn("ActivityInsights")
	prio := ba.Column("InvestigationPriority")
	for i := range ba.Rows() {
		if !strings.EqualFold(upn(i), u.UPN) {
			continue
		}
		p := prio.Ints[i]
		var ins []any
		if bag, ok := ai(i).(*types.Bag); ok {
			for j, k := range bag.Keys {
				if v, _ := bag.Value(j).(bool); v {
					ins = append(ins, k)
				}
			}
		}
		items = append(items, item{at: at(i), kind: "activity", source: src(i), action: action(i), priority: p,
			anomalous: p >= AnomalousPriority, insights: ins, ip: ip(i), location: loc(i), desc: target(i)})
	}
	if t.alerts != nil {
		ac := columnsOf(t.alerts)
		name, ent, comp, aat, sev := ac.str("AlertName"), ac.str("Entities"), ac.str("CompromisedEntity"), ac.ticks("TimeGenerated"), ac.str("AlertSeverity")
		for i := range t.alerts.Rows() {
			e := strings.ToLower(ent(i) + " " + comp(i))
			if !strings.Contains(e, strings.ToLower(u.UPN)) && !strings.Contains(e, strings.ToLower(u.ID)) {
				continue
			}
			items = append(items, item{at: aat(i), kind: "alert", source: "SecurityAlert", action: name(i), anomalous: true, desc: sev(i), priority: -1})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at < items[j].at })
	tbl := table.New("Timeline", types.Schema{
		{Name: "TimeGenerated", Type: types.DateTime}, {Name: "Kind", Type: types.String}, {Name: "NativeTableName", Type: types.String},
		{Name: "ActionType", Type: types.String}, {Name: "InvestigationPriority", Type: types.Int}, {Name: "Anomalous", Type: types.Bool},
		{Name: "Insights", Type: types.Dynamic}, {Name: "SourceIPAddress", Type: types.String}, {Name: "SourceIPLocation", Type: types.String},
		{Name: "Description", Type: types.String},
	})
	var normal, odd, alerts plotter.XYs
	var alertNames []string
	for _, it := range items {
		pv := types.NewInt(it.priority)
		if it.priority < 0 {
			pv = types.NullOf(types.Int)
		}
		tbl.AppendRow([]types.Value{types.NewDateTime(it.at), types.NewString(it.kind), types.NewString(it.source), types.NewString(it.action),
			pv, types.NewBool(it.anomalous), types.NewDynamic(it.insights), types.NewString(it.ip), types.NewString(it.location), types.NewString(it.desc)})
		x := float64(it.at) / float64(types.Second)
		switch {
		case it.kind == "alert":
			alerts = append(alerts, plotter.XY{X: x, Y: 11})
			alertNames = append(alertNames, it.action)
		case it.anomalous:
			odd = append(odd, plotter.XY{X: x, Y: float64(it.priority)})
		default:
			normal = append(normal, plotter.XY{X: x, Y: float64(it.priority)})
		}
	}
	pl := plot.New()
	pl.Title.Text = "Timeline of " + u.UPN
	pl.Y.Label.Text = "InvestigationPriority"
	pl.Y.Min, pl.Y.Max = -0.5, 12
	pl.X.Tick.Marker = plot.TimeTicks{Format: "Jan 02"}
	pl.Add(plotter.NewGrid())
	pl.Legend.Top = true
	pl.Legend.Left = true
	addScatter := func(xy plotter.XYs, name string, c color.Color, shape draw.GlyphDrawer, r vg.Length) {
		if len(xy) == 0 {
			return
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return
		}
		s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: r, Shape: shape}
		pl.Add(s)
		pl.Legend.Add(name, s)
	}
	addScatter(normal, "activity", color.NRGBA{96, 125, 139, 170}, draw.CircleGlyph{}, 2)
	addScatter(odd, fmt.Sprintf("anomalous (priority >= %d)", AnomalousPriority), color.RGBA{219, 68, 55, 255}, draw.CircleGlyph{}, 3)
	addScatter(alerts, "alert", color.RGBA{251, 140, 0, 255}, draw.TriangleGlyph{}, 5)
	if len(alerts) > 0 {
		seen := map[string]bool{}
		var lx plotter.XYs
		var ln []string
		for i, a := range alerts {
			if !seen[alertNames[i]] {
				seen[alertNames[i]] = true
				// stagger the names: alerts come in bursts
				lx = append(lx, plotter.XY{X: a.X, Y: 11.4 + 0.45*float64(len(ln)%2)})
				ln = append(ln, alertNames[i])
			}
		}
		if l, err := plotter.NewLabels(plotter.XYLabels{XYs: lx, Labels: ln}); err == nil {
			for i := range l.TextStyle {
				l.TextStyle[i].Font.Size = 7
				l.TextStyle[i].XAlign = draw.XCenter
			}
			pl.Add(l)
		}
	}
	return &Answer{Table: tbl, Picture: &Picture{Plot: pl, Width: 26 * vg.Centimeter, Height: 12 * vg.Centimeter}}, nil
}

// PriorityChart is the distribution of InvestigationPriority over all
// BehaviorAnalytics rows, each bar labelled with its count.
func (t *Tables) PriorityChart() *Picture {
	vals := make(plotter.Values, 11)
	for i, n := range t.Priorities {
		vals[i] = float64(n)
	}
	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("InvestigationPriority of %d activities", t.BehaviorAnalytics.Rows())
	pl.X.Label.Text = "InvestigationPriority"
	pl.Y.Label.Text = "activities (log scale)"
	// heights are log10(count+1) on a linear axis, ticked in powers of ten,
	// so the rare high priorities stay visible next to tens of thousands
	shifted := make(plotter.Values, 11)
	top := 0.0
	for i, v := range vals {
		shifted[i] = math.Log10(v + 1)
		top = math.Max(top, shifted[i])
	}
	var ticks []plot.Tick
	for k := 0; float64(k) <= top+1; k++ {
		ticks = append(ticks, plot.Tick{Value: float64(k), Label: fmt.Sprint(int(math.Pow(10, float64(k))))})
	}
	pl.Y.Tick.Marker = plot.ConstantTicks(ticks)
	bars, err := plotter.NewBarChart(shifted, 14)
	if err == nil {
		bars.Color = color.RGBA{66, 133, 244, 255}
		bars.LineStyle.Width = 0
		pl.Add(bars)
	}
	var xy plotter.XYs
	var labels []string
	for i, v := range vals {
		xy = append(xy, plotter.XY{X: float64(i), Y: shifted[i] + 0.15})
		labels = append(labels, fmt.Sprint(int(v)))
	}
	if l, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: labels}); err == nil {
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = 7
			l.TextStyle[i].XAlign = draw.XCenter
		}
		pl.Add(l)
	}
	pl.NominalX("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
	return &Picture{Plot: pl, Width: 16 * vg.Centimeter, Height: 10 * vg.Centimeter}
}
