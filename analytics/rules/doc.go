// Package rules owns Microsoft Sentinel analytics rules: loading and
// validating them in the YAML format of Sentinel's public content repository
// (Detections/*.yaml, Solutions/*/Analytic Rules/*.yaml), replaying their
// schedule over a workspace on the embedded engine, and turning results
// into SecurityAlert and SecurityIncident rows as Sentinel would.
//
// Parse and ParseFile read one rule; Validate reports every problem of a
// rule with its file, line and key. Builtin returns the rules shipped in
// builtin/ (detections for the sample tenant's stories and the Microsoft
// Purview solution's rules).
//
// Replay runs rules over a period: each scheduled run evaluates the query
// with now() pinned to the run time over data restricted to the run's
// queryPeriod window (rows stamped after the run time are invisible), applies
// the trigger, builds alerts (AlertPerResult or SingleAlert) with mapped
// entities, custom details and alertDetailsOverride, honours suppression,
// and groups alerts into incidents by incidentConfiguration. A Report holds
// the alerts and incidents; its Tables are the SecurityAlert and
// SecurityIncident rows, and WriteTo appends them to a workspace folder.
package rules
