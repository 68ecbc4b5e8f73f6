package ueba

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/topo"
)

// NodeKind is what an access graph node stands for.
type NodeKind uint8

const (
	KindUser NodeKind = iota
	KindGroup
	KindServicePrincipal
	KindManagedIdentity
	KindManagementGroup
	KindSubscription
	KindResourceGroup
	KindResource
)

// kindNames are the entity types UserAccessAnalytics writes.
var kindNames = [...]string{"User", "Group", "ServicePrincipal", "ManagedIdentity", "ManagementGroup", "AzureSubscription", "ResourceGroup", "AzureResource"}

func (k NodeKind) String() string { return kindNames[k] }

// principal reports whether the kind can hold access.
func (k NodeKind) principal() bool { return k <= KindManagedIdentity }

// Node is an identity or an Azure scope of the access graph.
type Node struct {
	id   int64
	Key  string // lower-case object id or ARM id
	ID   string // as the directory spells it
	Name string
	Kind NodeKind
	// Data estate of a resource: its assets' sensitivity (see Sensitivity),
	// the classifications and labels found in them.
	Sensitivity     float64
	Assets          int
	Classifications []string
	Labels          []string
	Privileged      []string // directory roles and app roles that make it High
	Department      string
	parent          *Node // enclosing scope
}

// GraphID is the node's gonum id in its AccessGraph.
func (n *Node) GraphID() int64 { return n.id }

type gnode struct{ n *Node }

func (g gnode) ID() int64 { return g.n.id }

// EdgeKind is how one node gives access to the next.
type EdgeKind uint8

const (
	EdgeMember   EdgeKind = iota // user or group -> group it is a member of
	EdgeOwner                    // user -> service principal it owns
	EdgeRole                     // principal -> scope it holds roles at
	EdgeContains                 // scope -> scope or resource inside it
	EdgeIdentity                 // resource -> managed identity it runs as
)

var edgeNames = [...]string{"member of", "owner of", "role", "contains", "runs as"}

func (k EdgeKind) String() string { return edgeNames[k] }

// Edge is a directed access edge; Roles are the role names of a role edge.
type Edge struct {
	F, T  *Node
	Kind  EdgeKind
	Roles []string
	Start []int64 // per role: when granted in the logs (0: before them)
	Since int64   // an edge without roles: when it began in the logs (0: before them)
}

func (e *Edge) From() graph.Node { return gnode{e.F} }
func (e *Edge) To() graph.Node   { return gnode{e.T} }
func (e *Edge) ReversedEdge() graph.Edge {
	return &Edge{F: e.T, T: e.F, Kind: e.Kind, Roles: e.Roles, Start: e.Start}
}

// Label is the text an edge shows in pictures.
func (e *Edge) Label() string {
	if e.Kind == EdgeRole {
		return strings.Join(e.Roles, ", ")
	}
	return e.Kind.String()
}

// AccessGraph is the directed graph of who can reach what: users, nested
// groups, service principals and managed identities, their role
// assignments, and the management group > subscription > resource group >
// resource hierarchy. It implements gonum's graph.Directed with sorted
// adjacency, so traversals and layouts are deterministic.
type AccessGraph struct {
	nodes []*Node
	byKey map[string]*Node
	out   [][]*Edge
	in    [][]*Edge
	edges int
	// sensitivity scale: label weight = 4 * (order+1) / (maxLabel+1)
	maxLabel int
}

// NewAccessGraph builds the access graph of a directory as it stands at
// asOf (ticks; role assignments granted later or ended earlier are left
// out; 0 takes every assignment still in force).
func NewAccessGraph(d *Directory, asOf int64) *AccessGraph {
	g := &AccessGraph{byKey: map[string]*Node{}, maxLabel: d.maxLabelOrder()}
	for _, u := range d.Users {
		n := g.node(u.ID, u.UPN, KindUser)
		if n.Name == "" {
			n.Name = u.DisplayName
		}
		n.Department = u.Department
		n.Privileged = append(n.Privileged, privilegedRoles(u.EntraRoles)...)
	}
	for _, x := range d.Groups {
		g.node(x.ID, x.DisplayName, KindGroup)
	}
	for _, sp := range d.ServicePrincipals {
		kind := KindServicePrincipal
		if sp.Kind == "ManagedIdentity" {
			kind = KindManagedIdentity
		}
		n := g.node(sp.ID, sp.DisplayName, kind)
		var granted []string
		for _, r := range d.AppRoles[sp.ID] {
			if asOf == 0 || r.Start <= asOf {
				granted = append(granted, r.Value)
			}
		}
		n.Privileged = append(n.Privileged, privilegedAppRoles(granted)...)
	}
	for _, m := range d.membersAt(asOf) {
		u, gn := g.byKey[m.member], g.byKey[m.group]
		if u != nil && gn != nil {
			g.addEdge(u, gn, EdgeMember, "", m.start)
		}
	}
	// scopes: management groups first so subscriptions find their parent
	for _, mg := range d.ManagementGroups {
		name := mg.DisplayName
		if name == "" {
			name = mg.Name
		}
		g.node(mg.ID, name, KindManagementGroup)
	}
	for _, mg := range d.ManagementGroups {
		if p := g.byKey[strings.ToLower(mg.ParentID)]; p != nil && mg.ParentID != "" {
			g.contain(p, g.byKey[strings.ToLower(mg.ID)])
		}
	}
	for _, s := range d.Subscriptions {
		n := g.scope(s.ID)
		n.Name = s.DisplayName
		if p := g.byKey[strings.ToLower(s.ManagementGroupID)]; p != nil && n.parent == nil {
			g.contain(p, n)
		}
	}
	for _, rg := range d.ResourceGroups {
		g.scope(rg.ID)
	}
	for _, r := range d.Resources {
		n := g.scope(r.ID)
		n.Name = r.Name
	}
	for _, sp := range d.ServicePrincipals {
		if sp.ResourceID == "" {
			continue
		}
		g.addEdge(g.scope(sp.ResourceID), g.byKey[strings.ToLower(sp.ID)], EdgeIdentity, "", 0)
	}
	for _, sp := range d.ServicePrincipals {
		if u := g.byKey[strings.ToLower(sp.OwnerID)]; u != nil && sp.OwnerID != "" {
			g.addEdge(u, g.byKey[strings.ToLower(sp.ID)], EdgeOwner, "", 0)
		}
	}
	for _, ra := range d.RoleAssignments {
		if asOf != 0 && (ra.Start > asOf || (ra.End != 0 && ra.End <= asOf)) || ra.End != 0 && asOf == 0 {
			continue
		}
		p := g.byKey[strings.ToLower(ra.PrincipalID)]
		if p == nil {
			// a principal the directory does not list: keep its grants
			kind := KindServicePrincipal
			switch ra.PrincipalType {
			case "User":
				kind = KindUser
			case "Group":
				kind = KindGroup
			}
			p = g.node(ra.PrincipalID, ra.PrincipalID, kind)
		}
		g.addEdge(p, g.scope(ra.Scope), EdgeRole, ra.RoleName, ra.Start)
	}
	for _, a := range d.Assets {
		if a.ResourceID == "" {
			continue
		}
		r := g.scope(a.ResourceID)
		r.Assets++
		r.Sensitivity += g.assetSensitivity(a)
		for _, c := range a.Classifications {
			if !contains(r.Classifications, c) {
				r.Classifications = append(r.Classifications, c)
			}
		}
		if a.LabelName != "" && !contains(r.Labels, a.LabelName) {
			r.Labels = append(r.Labels, a.LabelName)
		}
	}
	for i := range g.out {
		sort.SliceStable(g.out[i], func(a, b int) bool { return g.out[i][a].T.id < g.out[i][b].T.id })
		sort.SliceStable(g.in[i], func(a, b int) bool { return g.in[i][a].F.id < g.in[i][b].F.id })
	}
	return g
}

// assetSensitivity is how much an asset weighs: one per Purview
// classification found in it, plus up to 4 for its label by the label's
// order (the most sensitive label weighs 4).
func (g *AccessGraph) assetSensitivity(a Asset) float64 {
	w := float64(len(a.Classifications))
	if a.LabelOrder >= 0 && (a.LabelID != "" || a.LabelName != "") {
		w += 4 * float64(a.LabelOrder+1) / float64(g.maxLabel+1)
	}
	return w
}

func (g *AccessGraph) node(id, name string, kind NodeKind) *Node {
	key := strings.ToLower(id)
	if n := g.byKey[key]; n != nil {
		return n
	}
	n := &Node{id: int64(len(g.nodes)), Key: key, ID: id, Name: name, Kind: kind}
	g.nodes = append(g.nodes, n)
	g.out = append(g.out, nil)
	g.in = append(g.in, nil)
	g.byKey[key] = n
	return n
}

// scope returns the node of an ARM scope, making it and the scopes above
// it (from the id's shape) when the directory did not list them.
func (g *AccessGraph) scope(id string) *Node {
	id = strings.TrimSuffix(id, "/")
	if n := g.byKey[strings.ToLower(id)]; n != nil {
		return n
	}
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	var kind NodeKind
	var parent string
	switch {
	case len(parts) == 4 && strings.EqualFold(parts[0], "providers") && strings.EqualFold(parts[1], "Microsoft.Management"):
		kind = KindManagementGroup
	case len(parts) == 2 && strings.EqualFold(parts[0], "subscriptions"):
		kind = KindSubscription
	case len(parts) == 4 && strings.EqualFold(parts[2], "resourceGroups"):
		kind, parent = KindResourceGroup, "/"+strings.Join(parts[:2], "/")
	case len(parts) > 4 && strings.EqualFold(parts[2], "resourceGroups"):
		kind, parent = KindResource, "/"+strings.Join(parts[:4], "/")
	default:
		kind = KindResource
	}
	n := g.node(id, lastSegment(id), kind)
	if parent != "" {
		g.contain(g.scope(parent), n)
	}
	return n
}

func (g *AccessGraph) contain(p, c *Node) {
	if c == nil || c.parent != nil {
		return
	}
	c.parent = p
	g.addEdge(p, c, EdgeContains, "", 0)
}

func (g *AccessGraph) addEdge(f, t *Node, kind EdgeKind, role string, start int64) {
	for _, e := range g.out[f.id] {
		if e.T == t && e.Kind == kind {
			if role != "" && !contains(e.Roles, role) {
				e.Roles = append(e.Roles, role)
				e.Start = append(e.Start, start)
			}
			return
		}
	}
	e := &Edge{F: f, T: t, Kind: kind}
	if role != "" {
		e.Roles, e.Start = []string{role}, []int64{start}
	} else {
		e.Since = start
	}
	g.out[f.id] = append(g.out[f.id], e)
	g.in[t.id] = append(g.in[t.id], e)
	g.edges++
}

// Lookup finds a node by object id, ARM id, UPN or display name
// (case-insensitive).
func (g *AccessGraph) Lookup(s string) *Node {
	if n := g.byKey[strings.ToLower(s)]; n != nil {
		return n
	}
	for _, n := range g.nodes {
		if strings.EqualFold(n.Name, s) {
			return n
		}
	}
	return nil
}

// Nodes of a kind, in graph order.
func (g *AccessGraph) NodesOf(kind NodeKind) []*Node {
	var out []*Node
	for _, n := range g.nodes {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// EdgeCount is the number of edges.
func (g *AccessGraph) EdgeCount() int { return g.edges }

// gonum graph.Directed

func (g *AccessGraph) Node(id int64) graph.Node {
	if id < 0 || id >= int64(len(g.nodes)) {
		return nil
	}
	return gnode{g.nodes[id]}
}

func (g *AccessGraph) Nodes() graph.Nodes {
	ns := make([]graph.Node, len(g.nodes))
	for i, n := range g.nodes {
		ns[i] = gnode{n}
	}
	return iterator.NewOrderedNodes(ns)
}

func (g *AccessGraph) From(id int64) graph.Nodes {
	if id < 0 || id >= int64(len(g.nodes)) || len(g.out[id]) == 0 {
		return graph.Empty
	}
	ns := make([]graph.Node, len(g.out[id]))
	for i, e := range g.out[id] {
		ns[i] = gnode{e.T}
	}
	return iterator.NewOrderedNodes(ns)
}

func (g *AccessGraph) To(id int64) graph.Nodes {
	if id < 0 || id >= int64(len(g.nodes)) || len(g.in[id]) == 0 {
		return graph.Empty
	}
	ns := make([]graph.Node, len(g.in[id]))
	for i, e := range g.in[id] {
		ns[i] = gnode{e.F}
	}
	return iterator.NewOrderedNodes(ns)
}

func (g *AccessGraph) Edge(uid, vid int64) graph.Edge {
	if uid < 0 || uid >= int64(len(g.nodes)) {
		return nil
	}
	for _, e := range g.out[uid] {
		if e.T.id == vid {
			return e
		}
	}
	return nil
}

func (g *AccessGraph) HasEdgeFromTo(uid, vid int64) bool { return g.Edge(uid, vid) != nil }

func (g *AccessGraph) HasEdgeBetween(x, y int64) bool {
	return g.HasEdgeFromTo(x, y) || g.HasEdgeFromTo(y, x)
}

// Role levels: what a role lets its holder do with the data in scope.
const (
	levelNone    = 0
	levelRead    = 1 // control plane read: sees the resource, not its data
	levelData    = 2 // data plane roles: reads (or writes) the data
	levelWrite   = 3 // contributor: changes the resource, lists its keys
	levelControl = 4 // owner: all of that and grants access to others
)

// levelFactor weighs sensitivity by access level.
var levelFactor = [...]float64{0, 0, 0.6, 0.8, 1}

func roleLevel(role string) int {
	switch role {
	case "Owner", "User Access Administrator", "Role Based Access Control Administrator":
		return levelControl
	}
	for _, s := range []string{"Data Reader", "Data Contributor", "Data Owner", "Secrets", "Crypto", "Certificates"} {
		if strings.Contains(role, s) {
			return levelData
		}
	}
	if strings.Contains(role, "Contributor") || strings.Contains(role, "Administrator") {
		return levelWrite
	}
	return levelRead
}

// privileged directory roles and application permissions (anything that
// can take over the tenant): holding one makes a blast radius High.
var privilegedNames = map[string]bool{
	"Global Administrator": true, "Privileged Role Administrator": true, "Privileged Authentication Administrator": true,
	"Application Administrator": true, "Cloud Application Administrator": true, "Security Administrator": true,
	"User Administrator": true, "Exchange Administrator": true, "SharePoint Administrator": true,
	"Hybrid Identity Administrator": true, "Intune Administrator": true, "Conditional Access Administrator": true,
	"RoleManagement.ReadWrite.Directory": true, "AppRoleAssignment.ReadWrite.All": true,
	"Application.ReadWrite.All": true, "Directory.ReadWrite.All": true, "Group.ReadWrite.All": true,
	"User.ReadWrite.All": true, "Mail.ReadWrite": true, "Files.ReadWrite.All": true, "Sites.FullControl.All": true,
}

func privilegedRoles(roles []string) []string {
	var out []string
	for _, r := range roles {
		if privilegedNames[r] {
			out = append(out, "directory role "+r)
		} else if r != "" {
			out = append(out, "minor directory role "+r)
		}
	}
	return out
}

func privilegedAppRoles(roles []string) []string {
	var out []string
	for _, r := range roles {
		if privilegedNames[r] {
			out = append(out, "app role "+r)
		}
	}
	return out
}

// Access is one thing a principal can reach, and the shortest way it can.
type Access struct {
	Target *Node
	Level  string // role name; Member for groups; Owner or Impersonate for principals
	Type   string // Direct, Inherited, Group or ServicePrincipal
	Path   []*Edge
	Start  int64 // when the role was granted in the logs (0: before them)
	level  int
}

type accessState struct {
	n    *Node
	role string // "" while still acting as a principal
}

type visit struct {
	prev accessState
	edge *Edge
	role int // index into edge.Roles when the hop is a role edge
}

// Reach lists everything a principal can reach: the groups it is a member
// of (directly or nested), the principals it owns or controls, and every
// scope and resource its roles (its own, its groups', its principals')
// cover, each with the shortest path. Controlling (writing to) a resource
// that runs as a managed identity lets one act as that identity.
func (g *AccessGraph) Reach(src *Node) []Access {
	start := accessState{n: src}
	seen := map[accessState]visit{start: {}}
	queue := []accessState{start}
	var out []Access
	push := func(from accessState, to accessState, e *Edge, ri int) {
		if _, ok := seen[to]; ok {
			return
		}
		seen[to] = visit{prev: from, edge: e, role: ri}
		queue = append(queue, to)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range g.out[s.n.id] {
			switch {
			case s.role == "" && (e.Kind == EdgeMember || e.Kind == EdgeOwner):
				push(s, accessState{n: e.T}, e, -1)
			case s.role == "" && e.Kind == EdgeRole:
				for ri, r := range e.Roles {
					push(s, accessState{n: e.T, role: r}, e, ri)
				}
			case s.role != "" && e.Kind == EdgeContains:
				push(s, accessState{n: e.T, role: s.role}, e, -1)
			case s.role != "" && e.Kind == EdgeIdentity && roleLevel(s.role) >= levelWrite:
				push(s, accessState{n: e.T}, e, -1)
			}
		}
	}
	// walk back each state's path, in BFS (shortest first) order
	type key struct {
		n     *Node
		level string
	}
	done := map[key]bool{}
	for _, st := range bfsOrder(seen, start) {
		if st == start {
			continue
		}
		var path []*Edge
		var grant int64
		for cur := st; cur != start; {
			v := seen[cur]
			path = append(path, v.edge)
			// the access began when its last hop did
			if v.role >= 0 {
				grant = max(grant, v.edge.Start[v.role])
			} else {
				grant = max(grant, v.edge.Since)
			}
			cur = v.prev
		}
		slices.Reverse(path)
		a := Access{Target: st.n, Path: path, Start: grant}
		last := path[len(path)-1]
		switch {
		case st.role != "":
			a.Level, a.level = st.role, roleLevel(st.role)
		case last.Kind == EdgeMember:
			a.Level = "Member"
		case last.Kind == EdgeOwner:
			a.Level, a.level = "Owner", levelControl
		default:
			a.Level, a.level = "Impersonate", levelControl
		}
		a.Type = accessType(path)
		k := key{st.n, a.Level}
		if done[k] {
			continue
		}
		done[k] = true
		out = append(out, a)
	}
	return out
}

// bfsOrder returns the reached states by path length, then by the order
// they were reached (the map loses it, so recompute lengths).
func bfsOrder(seen map[accessState]visit, start accessState) []accessState {
	type item struct {
		s     accessState
		depth int
		id    int64
		role  string
	}
	items := make([]item, 0, len(seen))
	for s := range seen {
		d := 0
		for cur := s; cur != start; cur = seen[cur].prev {
			d++
		}
		items = append(items, item{s, d, s.n.id, s.role})
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		if a.id != b.id {
			return a.id < b.id
		}
		return a.role < b.role
	})
	out := make([]accessState, len(items))
	for i, it := range items {
		out[i] = it.s
	}
	return out
}

// accessType says how a path grants access: through a group, through a
// service principal or managed identity, or directly, at the target's own
// scope (Direct) or an enclosing one (Inherited).
func accessType(path []*Edge) string {
	if n := len(path); n > 1 && path[n-1].Kind == EdgeIdentity {
		return accessType(path[:n-1]) // as the control of the identity's resource
	}
	for _, e := range path[:len(path)-1] {
		if e.T.Kind == KindGroup {
			return "Group"
		}
	}
	for _, e := range path[:len(path)-1] {
		if e.T.Kind == KindServicePrincipal || e.T.Kind == KindManagedIdentity {
			return "ServicePrincipal"
		}
	}
	if len(path) == 1 {
		return "Direct"
	}
	if path[len(path)-1].T.Kind == KindGroup {
		return "Group"
	}
	return "Inherited"
}

// BlastRadius sums up what a principal could harm.
type BlastRadius struct {
	Principal *Node
	Level     string   // Low, Medium or High
	Reasons   []string // why the level
	Resources int      // resources reachable with any role
	Scopes    int      // management groups, subscriptions and resource groups
	// Sensitivity is the sensitivity-weighted blast radius: the sum over
	// reachable resources of their assets' sensitivity, times the factor
	// of the best access level held (owner 1, contributor 0.8, data roles
	// 0.6, reader 0: a reader sees the resource, not its data).
	Sensitivity     float64
	Classifications map[string]int // assets per Purview classification reachable with data access
	Labels          map[string]int // resources per sensitivity label reachable with data access
	Access          []Access
}

// Blast computes one principal's blast radius from its Reach.
func (g *AccessGraph) Blast(src *Node, hasReports bool) BlastRadius {
	b := BlastRadius{Principal: src, Classifications: map[string]int{}, Labels: map[string]int{}}
	b.Access = g.Reach(src)
	best := map[*Node]int{}
	reasons := map[string]bool{}
	high, medium := false, false
	note := func(r string, isHigh bool) {
		if !reasons[r] {
			reasons[r] = true
			b.Reasons = append(b.Reasons, r)
		}
		if isHigh {
			high = true
		} else {
			medium = true
		}
	}
	for _, p := range src.Privileged {
		note(p, !strings.HasPrefix(p, "minor"))
	}
	for _, a := range b.Access {
		if a.Target.Kind.principal() {
			for _, p := range a.Target.Privileged {
				note(p+" via "+a.Target.Name, !strings.HasPrefix(p, "minor"))
			}
			continue
		}
		if a.level > best[a.Target] {
			best[a.Target] = a.level
		}
		if a.level >= levelWrite {
			switch a.Target.Kind {
			case KindManagementGroup, KindSubscription:
				if a.Path[len(a.Path)-1].Kind == EdgeRole {
					note(a.Level+" on "+a.Target.Kind.String()+" "+a.Target.Name, true)
				}
			default:
				if a.Path[len(a.Path)-1].Kind == EdgeRole {
					note(a.Level+" on "+a.Target.Kind.String()+" "+a.Target.Name, false)
				}
			}
		}
	}
	for n, lvl := range best {
		if n.Kind == KindResource {
			b.Resources++
		} else {
			b.Scopes++
		}
		if lvl >= levelData && n.Assets > 0 {
			b.Sensitivity += n.Sensitivity * levelFactor[lvl]
			for _, c := range n.Classifications {
				b.Classifications[c]++
			}
			for _, l := range n.Labels {
				b.Labels[l]++
			}
		}
	}
	if b.Sensitivity > 0 {
		note(fmt.Sprintf("data access to %d classified or labelled resources", countData(best)), false)
	}
	if hasReports {
		note("manages people", false)
	}
	switch {
	case high:
		b.Level = "High"
	case medium:
		b.Level = "Medium"
	default:
		b.Level = "Low"
	}
	return b
}

func countData(best map[*Node]int) int {
	n := 0
	for r, l := range best {
		if l >= levelData && r.Sensitivity > 0 {
			n++
		}
	}
	return n
}

// RadiusSummary is the blast radius of one principal without the paths.
type RadiusSummary struct {
	Level       string
	Resources   int
	Sensitivity float64
}

// AllBlastRadii computes every principal's blast radius level, resource
// count and sensitivity weight without walking paths: group nesting is
// condensed into strongly connected components (gonum topo.TarjanSCC),
// the principals each component can act as are merged bottom-up, and
// the grants are summed over precomputed scope subtrees. reports marks
// principals that manage people. Indexed by node id (scopes get zero).
func (g *AccessGraph) AllBlastRadii(ctx context.Context, reports map[string]bool) ([]RadiusSummary, error) {
	n := len(g.nodes)
	// principal subgraph: member and owner edges only
	pg := principalView{g}
	sccs := topo.TarjanSCC(pg)
	comp := make([]int32, n)
	for i := range comp {
		comp[i] = -1
	}
	for ci, c := range sccs {
		for _, x := range c {
			comp[x.ID()] = int32(ci)
		}
	}
	// grantees: principals holding roles or privileges; closure keeps only them
	holds := func(x *Node) bool {
		if len(x.Privileged) > 0 {
			return true
		}
		for _, e := range g.out[x.id] {
			if e.Kind == EdgeRole {
				return true
			}
		}
		return false
	}
	// Tarjan returns components in reverse topological order: successors
	// come before the components that reach them.
	closure := make([][]int32, len(sccs))
	for ci, c := range sccs {
		var set []int32
		for _, x := range c {
			xn := g.nodes[x.ID()]
			if holds(xn) {
				set = append(set, int32(xn.id))
			}
			for _, e := range g.out[xn.id] {
				if e.Kind != EdgeMember && e.Kind != EdgeOwner {
					continue
				}
				if sc := comp[e.T.id]; sc != int32(ci) {
					set = append(set, closure[sc]...)
				}
			}
		}
		slices.Sort(set)
		closure[ci] = slices.Compact(set)
		if ci%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	// subtree sums of the scope tree
	subRes := make([]int32, n)
	subSens := make([]float64, n)
	var sum func(x *Node)
	done := make([]bool, n)
	sum = func(x *Node) {
		if done[x.id] {
			return
		}
		done[x.id] = true
		if x.Kind == KindResource {
			subRes[x.id]++
		}
		subSens[x.id] += x.Sensitivity
		for _, e := range g.out[x.id] {
			if e.Kind == EdgeContains {
				sum(e.T)
				subRes[x.id] += subRes[e.T.id]
				subSens[x.id] += subSens[e.T.id]
			}
		}
	}
	var identities []*Edge
	for _, x := range g.nodes {
		if !x.Kind.principal() && x.parent == nil {
			sum(x)
		}
		for _, e := range g.out[x.id] {
			if e.Kind == EdgeIdentity {
				identities = append(identities, e)
			}
		}
	}
	out := make([]RadiusSummary, n)
	pairs := map[*Node]int{}
	acting := map[int32]bool{}
	for _, x := range g.nodes {
		if !x.Kind.principal() {
			continue
		}
		if x.id%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		clear(pairs)
		clear(acting)
		high, medium := false, reports[x.Key]
		var grant func(p int32)
		grant = func(p int32) {
			if acting[p] {
				return
			}
			acting[p] = true
			pn := g.nodes[p]
			for _, r := range pn.Privileged {
				if strings.HasPrefix(r, "minor") {
					medium = true
				} else {
					high = true
				}
			}
			for _, e := range g.out[p] {
				if e.Kind != EdgeRole {
					continue
				}
				for _, r := range e.Roles {
					if l := roleLevel(r); l > pairs[e.T] {
						pairs[e.T] = l
					}
				}
			}
		}
		for _, p := range closure[comp[x.id]] {
			grant(p)
		}
		// controlling a resource lets one act as its managed identity
		for changed := true; changed; {
			changed = false
			for _, e := range identities {
				if acting[int32(e.T.id)] {
					continue
				}
				if coveringLevel(pairs, e.F) >= levelWrite {
					for _, p := range closure[comp[e.T.id]] {
						grant(p)
					}
					grant(int32(e.T.id))
					changed = true
				}
			}
		}
		var s RadiusSummary
		for sc, l := range pairs {
			anc := 0
			for p := sc.parent; p != nil; p = p.parent {
				anc = max(anc, pairs[p])
			}
			if anc == 0 && !hasGrantAbove(pairs, sc) {
				s.Resources += int(subRes[sc.id])
			}
			if l > anc && l >= levelData {
				s.Sensitivity += subSens[sc.id] * (levelFactor[l] - levelFactor[max(anc, levelRead)])
			}
			if l >= levelWrite {
				if sc.Kind == KindManagementGroup || sc.Kind == KindSubscription {
					high = true
				} else {
					medium = true
				}
			}
		}
		if s.Sensitivity > 1e-9 {
			medium = true
		}
		switch {
		case high:
			s.Level = "High"
		case medium:
			s.Level = "Medium"
		default:
			s.Level = "Low"
		}
		out[x.id] = s
	}
	return out, nil
}

func hasGrantAbove(pairs map[*Node]int, sc *Node) bool {
	for p := sc.parent; p != nil; p = p.parent {
		if _, ok := pairs[p]; ok {
			return true
		}
	}
	return false
}

// coveringLevel is the best level any grant at x or above it gives on x.
func coveringLevel(pairs map[*Node]int, x *Node) int {
	l := 0
	for p := x; p != nil; p = p.parent {
		l = max(l, pairs[p])
	}
	return l
}

// principalView is the access graph restricted to member and owner edges.
type principalView struct{ g *AccessGraph }

func (v principalView) Node(id int64) graph.Node { return v.g.Node(id) }
func (v principalView) Nodes() graph.Nodes {
	var ns []graph.Node
	for _, n := range v.g.nodes {
		if n.Kind.principal() {
			ns = append(ns, gnode{n})
		}
	}
	return iterator.NewOrderedNodes(ns)
}
func (v principalView) From(id int64) graph.Nodes {
	var ns []graph.Node
	for _, e := range v.g.out[id] {
		if e.Kind == EdgeMember || e.Kind == EdgeOwner {
			ns = append(ns, gnode{e.T})
		}
	}
	if len(ns) == 0 {
		return graph.Empty
	}
	return iterator.NewOrderedNodes(ns)
}
func (v principalView) To(id int64) graph.Nodes {
	var ns []graph.Node
	for _, e := range v.g.in[id] {
		if e.Kind == EdgeMember || e.Kind == EdgeOwner {
			ns = append(ns, gnode{e.F})
		}
	}
	if len(ns) == 0 {
		return graph.Empty
	}
	return iterator.NewOrderedNodes(ns)
}
func (v principalView) Edge(u, w int64) graph.Edge {
	for _, e := range v.g.out[u] {
		if e.T.id == w && (e.Kind == EdgeMember || e.Kind == EdgeOwner) {
			return e
		}
	}
	return nil
}
func (v principalView) HasEdgeFromTo(u, w int64) bool { return v.Edge(u, w) != nil }
func (v principalView) HasEdgeBetween(x, y int64) bool {
	return v.HasEdgeFromTo(x, y) || v.HasEdgeFromTo(y, x)
}

// affected lists the principals whose access can go through any of the
// nodes keyed: those principals themselves, the nested members of those
// groups, and the owners of the principals found, in node order.
func (g *AccessGraph) affected(keys []string) []*Node {
	seen := map[*Node]bool{}
	var stack []*Node
	for _, k := range keys {
		if n := g.byKey[k]; n != nil && !seen[n] {
			seen[n] = true
			stack = append(stack, n)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range g.in[n.id] {
			if (e.Kind == EdgeMember || e.Kind == EdgeOwner) && !seen[e.F] {
				seen[e.F] = true
				stack = append(stack, e.F)
			}
		}
	}
	var out []*Node
	for _, n := range g.nodes {
		if seen[n] && n.Kind.principal() {
			out = append(out, n)
		}
	}
	return out
}
