// Package sampledata owns the synthetic sample tenant: a deterministic
// Microsoft 365 / Azure tenant as Sentinel and Purview would log it, with
// five attack stories planted in ordinary background noise.
//
// Generate builds the tenant in memory (kql/table Tables keyed by table
// name); WriteWorkspace streams it to a workspace folder (DEVELOPERS.md)
// without holding rows, for scales of tens of millions of rows. The same
// Config (seed, users, days, scale, end, stories) gives the same bytes.
//
// Tables, with the columns of kql/schemas/data: SigninLogs, AuditLogs,
// OfficeActivity, CloudAppEvents, PurviewDataSensitivityLogs,
// McasShadowItReporting, SecurityAlert, SecurityIncident, IdentityInfo,
// CommonSecurityLog, Syslog, ThreatIntelligenceIndicator, AzureActivity;
// plus the SensitivityLabels watchlist (LabelId, LabelName, DisplayName,
// ParentLabelName, Order; search key LabelId).
//
// Stories (ground_truth.json lists each with its entities, time window and
// row ids):
//
//	S1-account-takeover         high-risk sign-in from Nigeria, New-/Set-InboxRule, mass FileDownloaded
//	S2-insider-label-downgrade  medium-risk sign-in via an anonymizing VPN, then labels downgraded/removed
//	                            on confidential files, upload to MEGA
//	S3-service-principal-owner  SP credentials + app role, Owner on Finance-Prod, listKeys
//	S4-password-spray           50126 failures across most users from three hosting IPs
//	S5-peer-anomaly-key-vault   a marketer opens the finance key vault no peer touches
//
// The background sign-ins carry the usual Entra ID failures at roughly a
// real tenant's rates (see hiccups in signins.go): wrong passwords, MFA
// interrupts and failed MFA, KMSI and account picker interrupts, expired
// flow tokens and sessions, lockouts a helpdesk reset follows, expired
// passwords, sessions a password change ended, a disabled account for a
// night, consent the tenant withholds and Conditional Access blocks.
// Every sign-in lists the tenant's five Conditional Access policies
// (conditional.go) in ConditionalAccessPolicies with its result, and
// ConditionalAccessStatus sums them up (success, notApplied, failure).
//
// Rows point back with RowRef: {"table", "column", "values"} for tables
// with an id column (SigninLogs.Id, AuditLogs.Id, OfficeActivity.OfficeId,
// CloudAppEvents.ReportId, AzureActivity.EventDataId, SecurityAlert.
// SystemAlertId, SecurityIncident.IncidentName, ThreatIntelligenceIndicator.
// IndicatorId) and {"table", "match": [{column: value}...]} for the rest
// (McasShadowItReporting by Date, UserName, AppName).
//
// # entities.json
//
// The Model as it stands at the start of the window, for UEBA access graphs:
//
//	tenantId, domain
//	users[]              id, userPrincipalName, displayName, department, jobTitle, managerId,
//	                     office {city, countryCode, utcOffsetMinutes...}, workStartHour, workEndHour,
//	                     devices[] {deviceId, operatingSystem, browser, userAgent...},
//	                     homeIsp, homeIp, officeIp, entraRoles[], tags[]
//	groups[]             id, displayName, kind (Security|Distribution), mail,
//	                     memberUserIds[] (direct), memberGroupIds[] (nested groups)
//	servicePrincipals[]  id, appId, displayName, kind (Application|ManagedIdentity), ownerUserId, resourceId
//	managementGroups[]   id (/providers/Microsoft.Management/managementGroups/x), name, parentId
//	subscriptions[]      id (/subscriptions/guid), subscriptionId, displayName, managementGroupId
//	resourceGroups[]     id, name, subscriptionId, location
//	resources[]          id (ARM id), name, type, resourceGroupId, subscriptionId, classifications[]
//	roleAssignments[]    id, roleDefinitionName, roleDefinitionId, principalId,
//	                     principalType (User|Group|ServicePrincipal), scope (any ARM id above)
//	sensitivityLabels[]  id, name, displayName (Parent\Sub), parentId, order (0 = least sensitive)
//	sites[], files[]     SharePoint sites and documents with sensitivityLabelId and classifications[]
//	dataAssets[]         Purview-scanned blobs and tables: path, resourceId, classifications[], sensitivityLabelId
//
// Group membership is direct; Model.UserGroups resolves nesting. A role
// assignment at a scope applies to everything beneath it (management group
// > subscription > resource group > resource).
package sampledata
