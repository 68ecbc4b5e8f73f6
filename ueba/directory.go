package ueba

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// Directory is the tenant's identities, Azure estate and data estate: the
// entities.json shape of sampledata (see its package doc), or what a
// workspace's IdentityInfo, AzureActivity, AuditLogs and
// PurviewDataSensitivityLogs tables tell. Tests build one by hand.
type Directory struct {
	TenantID          string             `json:"tenantId"`
	Users             []User             `json:"users"`
	Groups            []Group            `json:"groups"`
	ServicePrincipals []ServicePrincipal `json:"servicePrincipals"`
	ManagementGroups  []ManagementGroup  `json:"managementGroups"`
	Subscriptions     []Subscription     `json:"subscriptions"`
	ResourceGroups    []ResourceGroup    `json:"resourceGroups"`
	Resources         []Resource         `json:"resources"`
	RoleAssignments   []RoleAssignment   `json:"roleAssignments"`
	Labels            []Label            `json:"sensitivityLabels"`
	Assets            []Asset            `json:"dataAssets"`
	// AppRoles are application permissions granted to service principals
	// (by id), such as RoleManagement.ReadWrite.Directory.
	AppRoles map[string][]AppRole `json:"-"`
	// MemberChanges are group memberships AuditLogs record added or
	// removed, in time order; the groups' members are as before the logs.
	MemberChanges []MemberChange `json:"-"`
}

// MemberChange is a member added to or removed from a group at At (ticks).
type MemberChange struct {
	GroupID, MemberID string
	Added             bool
	At                int64
}

// membership is a member of a group (lower-case keys) since start (0:
// before the logs).
type membership struct {
	group, member string
	start         int64
}

// membersAt lists group memberships in force at asOf (0: after every
// change): the directory's members, with the logged additions and
// removals up to asOf applied in time order.
func (d *Directory) membersAt(asOf int64) []membership {
	var out []membership
	at := map[[2]string]int{} // (group, member) -> index in out, -1 removed
	add := func(grp, mem string, start int64) {
		k := [2]string{strings.ToLower(grp), strings.ToLower(mem)}
		if i, ok := at[k]; ok && i >= 0 {
			return
		}
		at[k] = len(out)
		out = append(out, membership{k[0], k[1], start})
	}
	for _, x := range d.Groups {
		for _, m := range x.MemberUsers {
			add(x.ID, m, 0)
		}
		for _, m := range x.MemberGroups {
			add(x.ID, m, 0)
		}
	}
	for _, c := range d.MemberChanges {
		if asOf != 0 && c.At > asOf {
			break
		}
		if c.Added {
			add(c.GroupID, c.MemberID, c.At)
			continue
		}
		k := [2]string{strings.ToLower(c.GroupID), strings.ToLower(c.MemberID)}
		if i, ok := at[k]; ok && i >= 0 {
			out[i].member = "" // removed
			at[k] = -1
		}
	}
	return slices.DeleteFunc(out, func(m membership) bool { return m.member == "" })
}

// AppRole is an application permission and when the logs show it granted
// (0: before them).
type AppRole struct {
	Value string
	Start int64
}

// User is a member account.
type User struct {
	ID          string   `json:"id"`
	UPN         string   `json:"userPrincipalName"`
	DisplayName string   `json:"displayName"`
	Department  string   `json:"department"`
	JobTitle    string   `json:"jobTitle"`
	ManagerID   string   `json:"managerId"`
	EntraRoles  []string `json:"entraRoles"`
	Created     string   `json:"createdDateTime"`
	SAMAccount  string   `json:"onPremisesSamAccountName"`
}

// Group is a security group or distribution list with its direct members.
type Group struct {
	ID           string   `json:"id"`
	DisplayName  string   `json:"displayName"`
	Kind         string   `json:"kind"`
	MemberUsers  []string `json:"memberUserIds"`
	MemberGroups []string `json:"memberGroupIds"`
}

// ServicePrincipal is an application's principal or a managed identity
// (Kind "ManagedIdentity", ResourceID the resource it belongs to).
type ServicePrincipal struct {
	ID          string `json:"id"`
	AppID       string `json:"appId"`
	DisplayName string `json:"displayName"`
	Kind        string `json:"kind"`
	OwnerID     string `json:"ownerUserId"`
	ResourceID  string `json:"resourceId"`
}

// ManagementGroup is a node of the management group tree.
type ManagementGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	ParentID    string `json:"parentId"`
}

// Subscription hangs under a management group.
type Subscription struct {
	ID                string `json:"id"`
	SubscriptionID    string `json:"subscriptionId"`
	DisplayName       string `json:"displayName"`
	ManagementGroupID string `json:"managementGroupId"`
}

// ResourceGroup is a resource group; its parent follows from its ARM id.
type ResourceGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Resource is an Azure resource; its parent follows from its ARM id.
type Resource struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// RoleAssignment grants a role at a scope (any ARM id of the hierarchy).
// Start and End are ticks when the grant began or ended inside the logs
// (0: before the window, or still in force).
type RoleAssignment struct {
	ID            string `json:"id"`
	RoleName      string `json:"roleDefinitionName"`
	RoleID        string `json:"roleDefinitionId"`
	PrincipalID   string `json:"principalId"`
	PrincipalType string `json:"principalType"`
	Scope         string `json:"scope"`
	Start, End    int64  `json:"-"`
}

// Label is a sensitivity label; Order ranks it from 0 (least sensitive).
type Label struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Order       int    `json:"order"`
}

// Asset is a data asset Purview scanned, inside an Azure resource.
type Asset struct {
	Path            string   `json:"path"`
	Name            string   `json:"name"`
	ResourceID      string   `json:"resourceId"`
	Classifications []string `json:"classifications"`
	LabelID         string   `json:"sensitivityLabelId"`
	// LabelName and LabelOrder come from the label (or Purview's label
	// details); LabelOrder is -1 for an unlabelled asset.
	LabelName  string `json:"-"`
	LabelOrder int    `json:"-"`
}

// builtinRoles names Azure built-in role definitions by id, for role
// assignments that AzureActivity only gives by definition id.
var builtinRoles = map[string]string{
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
	"b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
	"acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
	"18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
	"f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
	"4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
	"00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
	"b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
	"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
	"ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
	"b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
	"9980e02c-c2be-4d73-94e8-173b1dc7cf3c": "Virtual Machine Contributor",
	"39bc4728-0917-49c7-9d2c-d95423bc2eb4": "Security Reader",
}

// LoadDirectory reads the directory of a workspace: entities.json when the
// folder has one, else the latest IdentityInfo row per account (groups by
// name from GroupMembership). Either way it then applies what the logs
// say changed: role assignments written or deleted in AzureActivity, app
// roles granted in AuditLogs, and the data assets Purview scanned.
func LoadDirectory(ctx context.Context, ws *workspace.Workspace) (*Directory, error) {
	d := &Directory{}
	path := filepath.Join(ws.Dir, "entities.json")
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, d); err != nil {
			return nil, fmt.Errorf("ueba: %s: %v", path, err)
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := d.fromIdentityInfo(ctx, ws); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("ueba: %w", err)
	}
	if err := d.applyLogs(ctx, ws); err != nil {
		return nil, err
	}
	d.resolveLabels()
	return d, nil
}

// loadOptional loads a table, or returns nil when the workspace lacks it.
func loadOptional(ctx context.Context, ws *workspace.Workspace, name string) (*table.Table, error) {
	if _, ok := ws.Schema(name); !ok {
		return nil, nil
	}
	t, _, err := ws.Load(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("ueba: %w", err)
	}
	return t, nil
}

func (d *Directory) fromIdentityInfo(ctx context.Context, ws *workspace.Workspace) error {
	t, err := loadOptional(ctx, ws, "IdentityInfo")
	if err != nil || t == nil {
		return err
	}
	c := columnsOf(t)
	id, upn, name, dept := c.str("AccountObjectId"), c.str("AccountUPN"), c.str("AccountDisplayName"), c.str("Department")
	title, sam, at := c.str("JobTitle"), c.str("SAMAccountName"), c.ticks("TimeGenerated")
	created, groups, roles, tenant := c.ticks("AccountCreationTime"), c.dyn("GroupMembership"), c.dyn("AssignedRoles"), c.str("AccountTenantId")
	latest := map[string]int{}
	for i := range t.Rows() {
		key := id(i)
		if key == "" {
			key = strings.ToLower(upn(i))
		}
		if key == "" {
			continue
		}
		if j, ok := latest[key]; !ok || at(i) >= at(j) {
			latest[key] = i
		}
	}
	keys := make([]string, 0, len(latest))
	for k := range latest {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	byName := map[string]int{}
	for _, k := range keys {
		i := latest[k]
		d.TenantID = tenant(i)
		u := User{ID: k, UPN: upn(i), DisplayName: name(i), Department: dept(i), JobTitle: title(i), SAMAccount: sam(i)}
		if ct := created(i); ct != 0 {
			u.Created = types.FormatDateTime(ct)
		}
		for _, r := range stringList(roles(i)) {
			u.EntraRoles = append(u.EntraRoles, r)
		}
		d.Users = append(d.Users, u)
		for _, g := range stringList(groups(i)) {
			gi, ok := byName[g]
			if !ok {
				gi = len(d.Groups)
				byName[g] = gi
				d.Groups = append(d.Groups, Group{ID: "group:" + g, DisplayName: g, Kind: "Security"})
			}
			// IdentityInfo lists transitive membership: every group is direct here
			d.Groups[gi].MemberUsers = append(d.Groups[gi].MemberUsers, k)
		}
	}
	return nil
}

// applyLogs folds the changes the logs record into the directory.
func (d *Directory) applyLogs(ctx context.Context, ws *workspace.Workspace) error {
	roleNames := map[string]string{}
	for id, n := range builtinRoles {
		roleNames[id] = n
	}
	for _, ra := range d.RoleAssignments {
		if ra.RoleID != "" && ra.RoleName != "" {
			roleNames[strings.ToLower(ra.RoleID)] = ra.RoleName
		}
	}
	if t, err := loadOptional(ctx, ws, "AzureActivity"); err != nil {
		return err
	} else if t != nil {
		c := columnsOf(t)
		op, status, props, res, at := c.str("OperationNameValue"), c.str("ActivityStatusValue"), c.dyn("Properties_d"), c.str("ResourceId"), c.ticks("TimeGenerated")
		for i := range t.Rows() {
			o := strings.ToUpper(op(i))
			if status(i) != "Success" && status(i) != "Succeeded" {
				continue
			}
			switch o {
			case "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE":
				body, _ := dget(props(i), "requestbody").(string)
				ra, ok := parseRoleAssignment(body, res(i), roleNames)
				if !ok {
					continue
				}
				ra.Start = at(i)
				d.RoleAssignments = append(d.RoleAssignments, ra)
			case "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/DELETE":
				id := strings.ToLower(res(i))
				for k := range d.RoleAssignments {
					if ra := &d.RoleAssignments[k]; strings.HasSuffix(id, strings.ToLower(lastSegment(ra.ID))) && ra.End == 0 {
						ra.End = at(i)
					}
				}
			}
		}
	}
	if t, err := loadOptional(ctx, ws, "AuditLogs"); err != nil {
		return err
	} else if t != nil {
		c := columnsOf(t)
		op, targets, result, at := c.str("OperationName"), c.dyn("TargetResources"), c.str("Result"), c.ticks("TimeGenerated")
		groupID := d.groupResolver()
		for i := range t.Rows() {
			if result(i) != "" && result(i) != "success" {
				continue
			}
			if o := op(i); o == "Add member to group" || o == "Remove member from group" {
				if c, ok := memberChange(targets(i), o == "Add member to group", at(i), groupID); ok {
					d.MemberChanges = append(d.MemberChanges, c)
				}
				continue
			}
			if op(i) != "Add app role assignment to service principal" {
				continue
			}
			tl, _ := targets(i).([]any)
			for _, tr := range tl {
				spID, _ := dget(tr, "id").(string)
				mods, _ := dget(tr, "modifiedProperties").([]any)
				for _, m := range mods {
					if n, _ := dget(m, "displayName").(string); n == "AppRole.Value" {
						v, _ := dget(m, "newValue").(string)
						v = strings.Trim(v, `"`)
						if spID != "" && v != "" {
							if d.AppRoles == nil {
								d.AppRoles = map[string][]AppRole{}
							}
							d.AppRoles[spID] = append(d.AppRoles[spID], AppRole{v, at(i)})
						}
					}
				}
			}
		}
	}
	sort.SliceStable(d.MemberChanges, func(i, j int) bool { return d.MemberChanges[i].At < d.MemberChanges[j].At })
	return d.purviewAssets(ctx, ws)
}

// groupResolver maps what AuditLogs call a group (object id, else display
// name) to the directory's group id; unknown groups keep the log's id.
func (d *Directory) groupResolver() func(id, name string) string {
	byID, byName := map[string]string{}, map[string]string{}
	for _, g := range d.Groups {
		byID[strings.ToLower(g.ID)] = g.ID
		byName[strings.ToLower(g.DisplayName)] = g.ID
	}
	return func(id, name string) string {
		if g, ok := byID[strings.ToLower(id)]; ok {
			return g
		}
		if g, ok := byName[strings.ToLower(name)]; ok && name != "" {
			return g
		}
		return id
	}
}

// memberChange reads an "Add member to group" or "Remove member from
// group" record: the member is the target resource, the group is in its
// modified properties Group.ObjectID and Group.DisplayName (newValue when
// added, oldValue when removed; JSON-quoted strings).
func memberChange(targets any, added bool, at int64, groupID func(id, name string) string) (MemberChange, bool) {
	tl, _ := targets.([]any)
	for _, tr := range tl {
		member := dstr(tr, "id")
		if member == "" {
			continue
		}
		field := "oldValue"
		if added {
			field = "newValue"
		}
		var gid, gname string
		mods, _ := dget(tr, "modifiedProperties").([]any)
		for _, m := range mods {
			v := strings.Trim(dstr(m, field), `"`)
			switch dstr(m, "displayName") {
			case "Group.ObjectID":
				gid = v
			case "Group.DisplayName":
				gname = v
			}
		}
		if gid == "" && gname == "" {
			continue
		}
		return MemberChange{GroupID: groupID(gid, gname), MemberID: member, Added: added, At: at}, true
	}
	return MemberChange{}, false
}

// parseRoleAssignment reads an ARM role assignment request body.
func parseRoleAssignment(body, resource string, roleNames map[string]string) (RoleAssignment, bool) {
	v, err := types.ParseJSON(body)
	if err != nil {
		return RoleAssignment{}, false
	}
	p := dget(v, "Properties")
	if p == nil {
		p = dget(v, "properties")
	}
	str := func(k string) string {
		s, _ := dget(p, k).(string)
		if s == "" {
			s, _ = dget(p, strings.ToLower(k[:1])+k[1:]).(string)
		}
		return s
	}
	ra := RoleAssignment{ID: resource, PrincipalID: str("PrincipalId"), PrincipalType: str("PrincipalType"),
		RoleID: lastSegment(str("RoleDefinitionId")), Scope: str("Scope")}
	if ra.Scope == "" {
		if i := strings.Index(strings.ToLower(resource), "/providers/microsoft.authorization/roleassignments/"); i > 0 {
			ra.Scope = resource[:i]
		}
	}
	ra.RoleName = roleNames[strings.ToLower(ra.RoleID)]
	if ra.RoleName == "" {
		ra.RoleName = ra.RoleID
	}
	return ra, ra.PrincipalID != "" && ra.Scope != ""
}

// purviewAssets adds the assets PurviewDataSensitivityLogs reports and
// the entities file lacks, with their classifications and label.
func (d *Directory) purviewAssets(ctx context.Context, ws *workspace.Workspace) error {
	t, err := loadOptional(ctx, ws, "PurviewDataSensitivityLogs")
	if err != nil || t == nil {
		return err
	}
	known := map[string]int{}
	for i, a := range d.Assets {
		known[a.Path] = i
	}
	c := columnsOf(t)
	path, name, src, cls, lbl := c.str("AssetPath"), c.str("AssetName"), c.str("SourcePath"), c.dyn("Classification"), c.dyn("SensitivityLabelDetails")
	for i := range t.Rows() {
		p := path(i)
		if p == "" {
			continue
		}
		k, ok := known[p]
		if !ok {
			k = len(d.Assets)
			known[p] = k
			d.Assets = append(d.Assets, Asset{Path: p, Name: name(i), ResourceID: src(i), LabelOrder: -1})
		}
		a := &d.Assets[k]
		for _, c := range stringList(cls(i)) {
			if !contains(a.Classifications, c) {
				a.Classifications = append(a.Classifications, c)
			}
		}
		if l, _ := lbl(i).([]any); len(l) > 0 {
			if id, _ := dget(l[0], "Id").(string); id != "" {
				a.LabelID = id
			}
			if n, _ := dget(l[0], "Name").(string); n != "" {
				a.LabelName = n
			}
			if o, ok := dget(l[0], "Order").(int64); ok {
				a.LabelOrder = int(o)
			}
		}
	}
	return nil
}

// resolveLabels fills LabelName and LabelOrder of assets from the labels.
func (d *Directory) resolveLabels() {
	byID := map[string]Label{}
	for _, l := range d.Labels {
		byID[l.ID] = l
	}
	for i := range d.Assets {
		a := &d.Assets[i]
		if l, ok := byID[a.LabelID]; ok {
			a.LabelName, a.LabelOrder = l.DisplayName, l.Order
		} else if a.LabelID == "" && a.LabelName == "" {
			a.LabelOrder = -1
		}
	}
}

// maxLabelOrder is the highest label order known (at least 0).
func (d *Directory) maxLabelOrder() int {
	m := 0
	for _, l := range d.Labels {
		m = max(m, l.Order)
	}
	for _, a := range d.Assets {
		m = max(m, a.LabelOrder)
	}
	return m
}

func lastSegment(s string) string {
	return s[strings.LastIndexByte(s, '/')+1:]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stringList reads a dynamic array of strings (or a JSON text of one).
func stringList(v any) []string {
	if s, ok := v.(string); ok && strings.HasPrefix(s, "[") {
		v, _ = types.ParseJSON(s)
	}
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}
