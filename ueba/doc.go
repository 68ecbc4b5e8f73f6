// Package ueba owns huntbook's user and entity behaviour analytics: it
// computes Microsoft Sentinel's three UEBA tables from any workspace, and
// answers for one entity with a table and a picture.
//
// # BehaviorAnalytics
//
// One row per activity of SigninLogs, AuditLogs, OfficeActivity,
// CloudAppEvents and AzureActivity (an Azure operation counts once, by its
// outcome row), with Sentinel's columns plus InvestigationPriorityBits
// (below). Logs without a location borrow the country, city and ISP
// (autonomous system) the latest sign-in from the address gave, as of the
// activity. UsersInsights.BlastRadius is the account's as of the end of
// the activity's day (the access graph replayed to then).
//
// Baselines (Baseline) count, per account, its peers and the tenant, the
// values of seven dimensions (action, app, browser, country, device, ISP,
// resource), the hour of the week and the daily volume per source table,
// over a sliding window of whole UTC days (Options.BaselineDays, default
// 180). An activity is judged against the days before its own; when a day
// ends it folds into the baseline and the day leaving the window drops
// out, touching only the accounts active on those days (incremental: no
// history is recomputed). Peer and tenant baselines weigh each account
// equally (the sum of each value's share of an account's activity).
// Within a day the accounts are scored in parallel (the day's baseline is
// fixed; each account's activities stay in order on one goroutine), and
// rows are filled in place with cached dynamic values.
//
// # Incremental builds
//
// Write also saves the baseline in the workspace (StateFile,
// ueba/baseline.state: a header line with format version, options
// fingerprint, window end, BehaviorAnalytics row count and per-source
// activity counts, then the account and tenant tallies, the window's days
// and the sign-in locations, floats kept bit for bit). A build with
// Options.Incremental reads only activities from the window end on, keeps
// the BehaviorAnalytics rows before it and folds the new days in, dropping
// days that leave the window; building day by day gives exactly the rows
// of building at once (TimeProcessed aside). A last day not yet over (by
// Options.Now or the workspace's end) is scored but left out of the saved
// state, so the next build scores it again whole. When the saved baseline
// does not fit (other options, changed history, missing rows) the build
// reads everything and Tables.Stats.Reason says why.
//
// ActivityInsights holds, for each dimension the activity has, Sentinel's
// five insights, which mean here:
//
//	FirstTimeUser...            the account never had the value in its baseline (and has a baseline)
//	...UncommonlyUsedByUser     the value is under UncommonShare (5%) of the account's activities
//	...AmongPeers               under 5% of the account's ranked peers ever had it
//	FirstTime...InTenant        no account in the tenant had it
//	...UncommonlyUsedInTenant   under 5% of the tenant's accounts had it
//	UncommonHighVolumeOfActions the account's activities in this table today are
//	                            improbably many: P(X >= k) < 0.001 for X ~ Poisson(daily mean)
//
// UsersInsights: AccountDisplayName, AccountObjectID, BlastRadius (from
// the access graph), IsDormantAccount (no activity for DormantDays, 180),
// IsNewAccount (created within NewAccountDays, 30), OnPremisesSAMAccountName.
// DevicesInsights: Browser, DeviceFamily, ISP, OperatingSystem,
// ThreatIntelIndicatorType and ...Description (the address is an active
// ThreatIntelligenceIndicator), UserAgentFamily.
//
// # InvestigationPriority
//
// The score is the activity's surprisal, in bits, beyond the account's
// usual. For each dimension, the probability of the value backs off from
// the account to its peers to the tenant (Dirichlet smoothing with
// pseudo-counts UserPrior 2, PeerPrior 1, TenantPrior 0.5):
//
//	p_tenant(v) = (F_tenant(v) + 0.5) / (accounts + 0.5 (values + 1))
//	p_peers(v)  = (F_peers(v) + 1 p_tenant(v)) / (peers + 1)
//	p_user(v)   = (count(v) + 2 p_peers(v)) / (activities + 2)
//
// where F sums each account's share of v. The dimension adds
// log2(p_user(usual) / p_user(v)) bits, the usual being the account's most
// frequent value (so two equally usual devices surprise neither). The hour
// of the week adds the same with the tenant's hours as prior, times
// HourWeight (0.5). A volume burst adds -log2 P(X >= k) (capped at 20).
// Summing treats the dimensions as independent: the total is the
// surprisal of the joint. InvestigationPriority = min(10, floor(bits /
// BitsPerPoint)), BitsPerPoint 4: each point is an activity 16 times less
// likely than usual. It stays 0 until the baseline holds MinBaselineDays
// (7), when everything is still new to it. The cap keeps Sentinel's 0-10
// range; InvestigationPriorityBits (a real column huntbook adds) keeps the
// bits, so activities at the cap still order (sort by both).
//
// # UserPeerAnalytics
//
// RankPeers: each user's 20 closest peers by cosine similarity of TF-IDF
// vectors over security group and distribution list membership (direct
// and nested), with an inverted index and the MaxScore bound, so no
// all-pairs work is done and the ranking is exact.
//
// # UserAccessAnalytics
//
// AccessGraph is a gonum graph.Directed of users, groups (nested, cycles
// allowed), service principals, managed identities, role assignments and
// the management group > subscription > resource group > resource
// hierarchy, with the Purview classifications and labels of each
// resource's data assets. The directory comes from entities.json or
// IdentityInfo (as before the logs); AzureActivity role assignment writes
// and deletes, AuditLogs app role grants and group membership changes
// ("Add member to group", "Remove member from group") made in the window
// are applied on top, each from its instant, so the graph can be built as
// of any time.
// Rows: every group a user or service principal is a member of, every
// principal it owns or controls, every scope and resource it reaches:
//
//	AccessLevel  the role name; Member (group); Owner (owned app); Impersonate
//	             (a managed identity of a resource it can write to)
//	AccessType   Direct (assignment to the source at the target itself, or direct
//	             membership), Inherited (at an enclosing scope), Group (through
//	             group membership, nested or not), ServicePrincipal (through an
//	             owned or controlled service principal)
//	AccessStartTime  when the path's last-granted hop began in the logs (null: before them)
//	AccessEndTime    for access held in the window and gone at the build's instant: the
//	                 role assignment deletion or group removal that took it away, with
//	                 AccessEndReason "Role assignment deleted" or "Removed from group"
//
// BlastRadius is High for a privileged directory role or app permission
// (Global Administrator, RoleManagement.ReadWrite.Directory, ...) or a
// write role (Owner, Contributor, ...) on a management group or
// subscription; Medium for another directory role, a write role lower
// down, data access to classified or labelled assets, or managing people;
// else Low. Beyond Sentinel, the sensitivity-weighted blast radius sums
// the reachable assets' sensitivity (one per classification, plus up to 4
// for the label by its order) times the access level's factor (owner 1,
// contributor 0.8, data roles 0.6, readers 0), with the shortest access
// path to each.
//
// # Pictures
//
// Peers, BlastRadius and Timeline answer for one entity with a table and
// a gonum/plot picture (PNG or SVG): the peer graph, the blast-radius
// graph (gonum graph/layout, nodes coloured by kind and sensitivity,
// edges labelled with the access), the entity's timeline of activities
// and alerts, and PriorityChart the distribution of InvestigationPriority.
package ueba
