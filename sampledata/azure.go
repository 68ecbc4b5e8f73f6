package sampledata

import (
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

// armOp is one Azure Resource Manager operation for AzureActivity.
type armOp struct {
	t         int64
	by        actor
	op        string // e.g. Microsoft.Authorization/roleAssignments/write
	name      string // display name, e.g. "Create role assignment"
	resource  string // ARM id the operation acts on
	method    string
	status    string // Success, Failure
	substatus string
	props     *types.Bag // extra Properties_d entries
	role      string     // the caller's role that allowed it, for Authorization_d.evidence
}

// emitARM writes the Start and final rows an ARM write produces, sharing a
// CorrelationId and OperationId. It returns the two EventDataIds.
func (g *gen) emitARM(r *rnd, op armOp) []string {
	if op.t < g.start || op.t >= g.end-types.Minute {
		return nil
	}
	sub, rg := "", ""
	parts := strings.Split(op.resource, "/")
	for i := 0; i+1 < len(parts); i++ {
		switch strings.ToLower(parts[i]) {
		case "subscriptions":
			sub = parts[i+1]
		case "resourcegroups":
			rg = parts[i+1]
		}
	}
	provider := ""
	if i := strings.Index(op.op, "/"); i > 0 {
		provider = op.op[:i]
	}
	corr, opID := r.guid(), r.guid()
	caller, claims := "", bag()
	if op.by.user != nil {
		caller = op.by.user.UPN
		claims = bag("name", op.by.user.DisplayName, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", op.by.user.UPN,
			"http://schemas.microsoft.com/identity/claims/objectidentifier", op.by.user.ID, "ipaddr", op.by.ip, "appid", appPortal.id)
	} else {
		caller = op.by.sp.ID
		claims = bag("appid", op.by.sp.AppID, "http://schemas.microsoft.com/identity/claims/objectidentifier", op.by.sp.ID, "idtyp", "app")
	}
	hier := g.hierarchy(sub)
	var ids []string
	for i, status := range []string{"Start", op.status} {
		row := g.e.row("AzureActivity")
		t := op.t + int64(i)*int64(r.between(1, 8))*types.Second
		id := r.guid()
		ids = append(ids, id)
		row.time("TimeGenerated", t).time("EventSubmissionTimestamp", t+int64(r.between(5, 40))*types.Second)
		row.str("EventDataId", id).str("CorrelationId", corr).str("OperationId", opID)
		row.str("OperationNameValue", strings.ToUpper(op.op)).str("OperationName", op.name)
		row.str("ActivityStatusValue", status).str("ActivityStatus", status)
		subStatus := ""
		switch {
		case status == "Success" && op.method == "PUT":
			subStatus = "Created (HTTP Status Code: 201)"
		case status == "Success":
			subStatus = "OK (HTTP Status Code: 200)"
		case status == "Failure":
			subStatus = op.substatus
		}
		row.str("ActivitySubstatusValue", subStatus).str("ActivitySubstatus", subStatus)
		row.str("CategoryValue", "Administrative").str("Category", "Administrative").str("Level", "Informational")
		if status == "Failure" {
			row.str("Level", "Error")
		}
		row.str("Caller", caller).str("CallerIpAddress", op.by.ip)
		row.str("ResourceProviderValue", strings.ToUpper(provider)).str("ResourceProvider", provider)
		row.str("ResourceId", op.resource).str("SubscriptionId", sub).str("ResourceGroup", strings.ToUpper(rg))
		row.str("Resource", parts[len(parts)-1]).str("Hierarchy", hier)
		auth := bag("action", op.op, "scope", op.resource)
		if op.role != "" {
			auth.Set("evidence", bag("role", op.role, "principalType", map[bool]string{true: "User", false: "ServicePrincipal"}[op.by.user != nil]))
		}
		row.dyn("Authorization_d", auth).str("Authorization", types.DynamicJSON(auth))
		row.dyn("Claims_d", claims).str("Claims", types.DynamicJSON(claims))
		props := bag("eventCategory", "Administrative", "entity", op.resource, "message", op.op, "hierarchy", hier)
		if i == 1 && op.props != nil {
			for i, k := range op.props.Keys {
				props.Set(k, op.props.Value(i))
			}
		}
		row.dyn("Properties_d", props).str("Properties", types.DynamicJSON(props))
		row.str("HTTPRequest", `{"clientRequestId":"`+r.guid()+`","clientIpAddress":"`+op.by.ip+`","method":"`+op.method+`"}`)
		g.e.emit(row)
	}
	return ids
}

// hierarchy is the management group path of a subscription, root first.
func (g *gen) hierarchy(subID string) string {
	var s *Subscription
	for _, x := range g.m.Subscriptions {
		if x.SubscriptionID == subID {
			s = x
		}
	}
	if s == nil {
		return ""
	}
	chain := []string{s.SubscriptionID}
	for id := s.ManagementGroupID; id != ""; {
		var mg *ManagementGroup
		for _, x := range g.m.ManagementGroups {
			if x.ID == id {
				mg = x
			}
		}
		if mg == nil {
			break
		}
		chain = append([]string{mg.Name}, chain...)
		id = mg.ParentID
	}
	return strings.Join(chain, "/")
}

// azureActivity writes routine operations by the people and automation
// entitled to them: VM restarts, deployments, storage key listing and
// key vault secret rotation (by IT and the backup automation only).
func (g *gen) azureActivity() {
	r := newRnd(g.cfg.Seed, "azure")
	var admins, engineers []*User
	for _, u := range g.m.Users {
		switch {
		case u.Department == "IT" && len(u.EntraRoles) > 0 && u.EntraRoles[0] == "Global Administrator":
			admins = append(admins, u)
		case u.Department == "Engineering":
			engineers = append(engineers, u)
		}
	}
	sps := map[string]*ServicePrincipal{}
	for _, sp := range g.m.ServicePrincipals {
		sps[sp.DisplayName] = sp
	}
	var vms, engVMs []*Resource
	for _, x := range g.m.Resources {
		if x.Type == "Microsoft.Compute/virtualMachines" {
			vms = append(vms, x)
			if x.Owner == "Engineering" {
				engVMs = append(engVMs, x)
			}
		}
	}
	spIP := "20.42.65." // Azure-hosted automation
	for day := g.start; day < g.end; day += types.Day {
		if wd := weekday(day, 0); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		at := func(h int) int64 { return day + int64(h)*types.Hour + r.Int64N(types.Hour) }
		for range r.poisson(3 * g.cfg.Scale) {
			if len(engineers) == 0 {
				break
			}
			u := pick(r, engineers)
			vm := pick(r, engVMs)
			op, name := "Microsoft.Compute/virtualMachines/restart/action", "Restart Virtual Machine"
			if r.chance(0.5) {
				op, name = "Microsoft.Compute/virtualMachines/deallocate/action", "Deallocate Virtual Machine"
			}
			g.emitARM(r, armOp{t: at(u.WorkStart + 2 - u.Office.TZMinutes/60), by: actor{user: u, ip: u.OfficeIP}, op: op, name: name,
				resource: vm.ID, method: "POST", status: "Success", role: "Contributor"})
		}
		for range r.poisson(2 * g.cfg.Scale) {
			sp := sps["GitHub Actions Deploy"]
			if r.chance(0.3) {
				sp = sps["Terraform Deploy"]
			}
			vm := pick(r, engVMs)
			rg := vm.ResourceGroupID
			g.emitARM(r, armOp{t: at(16), by: actor{sp: sp, ip: r.ipIn(spIP)}, op: "Microsoft.Resources/deployments/write",
				name: "Create Deployment", resource: rg + "/providers/Microsoft.Resources/deployments/release-" + r.hexID(6),
				method: "PUT", status: "Success", role: "Contributor"})
		}
		if r.chance(0.5) && len(admins) > 0 {
			u := pick(r, admins)
			vm := pick(r, vms)
			g.emitARM(r, armOp{t: at(17), by: actor{user: u, ip: u.OfficeIP}, op: "Microsoft.Compute/virtualMachines/write",
				name: "Create or Update Virtual Machine", resource: vm.ID, method: "PUT", status: "Success", role: "Owner"})
		}
		if r.chance(0.3) {
			st := g.m.resource("stfinancedata01")
			g.emitARM(r, armOp{t: at(2), by: actor{sp: sps["Backup Automation"], ip: r.ipIn(spIP)},
				op: "Microsoft.Storage/storageAccounts/listKeys/action", name: "List Storage Account Keys",
				resource: st.ID, method: "POST", status: "Success", role: "Contributor"})
		}
		if r.chance(0.15) {
			kv := g.m.resource("kv-finance-prod")
			by := actor{sp: sps["Backup Automation"], ip: r.ipIn(spIP)}
			if r.chance(0.4) && len(admins) > 0 {
				u := pick(r, admins)
				by = actor{user: u, ip: u.OfficeIP}
			}
			g.emitARM(r, armOp{t: at(3), by: by, op: "Microsoft.KeyVault/vaults/secrets/write", name: "Write Secret",
				resource: kv.ID + "/secrets/payroll-api-key", method: "PUT", status: "Success", role: "Contributor"})
		}
	}
}

// purview writes Purview scan results: every data asset classified on a
// weekly full scan, with its sensitivity label.
func (g *gen) purview() {
	r := newRnd(g.cfg.Seed, "purview")
	labels := map[string]*Label{}
	for _, l := range g.m.Labels {
		labels[l.ID] = l
	}
	for scan := g.start + 26*types.Hour; scan < g.end; scan += 7 * types.Day {
		scanIDs := map[string]string{}
		for i, a := range g.m.Assets {
			res := g.resourceByID(a.ResourceID)
			sid, ok := scanIDs[res.ID]
			if !ok {
				sid = r.guid()
				scanIDs[res.ID] = sid
			}
			t := scan + int64(i)*int64(r.between(5, 40))*types.Second
			for _, kind := range []string{"Classification", "Labeling"} {
				if kind == "Labeling" && a.LabelID == "" {
					continue
				}
				row := g.e.row("PurviewDataSensitivityLogs")
				row.time("TimeGenerated", t).str("ActivityType", kind)
				row.str("AssetName", a.Name).str("AssetPath", a.Path).str("AssetType", a.Type)
				row.time("AssetCreationTime", g.start-90*types.Day).time("AssetModifiedTime", scan-int64(r.between(1, 200))*types.Hour)
				row.time("AssetLastScanTime", t)
				if a.Type == "file" {
					row.str("FileExtension", a.Name[strings.LastIndex(a.Name, ".")+1:]).long("FileSize", a.SizeBytes)
				}
				cls, details := []any{}, []any{}
				for _, c := range a.Classifications {
					cls = append(cls, c)
					n := int64(r.between(10, 5000))
					details = append(details, bag("Id", classificationIDs[c], "Name", c, "Count", n,
						"UniqueCount", n*int64(r.between(60, 100))/100, "Confidence", int64(r.between(75, 95))))
				}
				row.dyn("Classification", cls).dyn("ClassificationDetails", details).str("ClassificationTrigger", "Scan")
				if l := labels[a.LabelID]; l != nil {
					row.dyn("SensitivityLabel", []any{l.DisplayName})
					row.dyn("SensitivityLabelDetails", []any{bag("Id", l.ID, "Name", l.DisplayName, "Order", int64(l.Order))})
					row.str("SensitivityLabelTrigger", "AutoLabelingPolicy")
				}
				row.str("PurviewAccountName", "pv-"+g.cfg.Name+"-gov").str("PurviewRegion", "eastus").str("PurviewTenantId", g.m.TenantID)
				row.str("SourceName", res.Name).str("SourcePath", res.ID).str("SourceRegion", res.Location)
				row.str("SourceScanId", sid).str("SourceSubscriptionId", res.SubscriptionID).str("SourceType", a.SourceType)
				row.str("SourceCollectionName", res.Owner)
				g.e.emit(row)
			}
		}
	}
}

func (g *gen) resourceByID(id string) *Resource {
	for _, x := range g.m.Resources {
		if x.ID == id {
			return x
		}
	}
	panic("sampledata: no resource " + id)
}
