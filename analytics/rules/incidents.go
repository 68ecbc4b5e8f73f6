package rules

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

var severityRank = map[string]int{"Informational": 0, "Low": 1, "Medium": 2, "High": 3}

// group puts an alert in an incident of its rule as incidentConfiguration
// says, and returns the incident when it is a new one.
func (c *compiled) group(a *Alert, next *int) *Incident {
	cfg := c.r.Incident
	if !cfg.CreateIncident {
		return nil
	}
	if cfg.GroupingEnabled {
		// the most recent open incident of this rule, started within the
		// lookback, that matches
		for i := len(c.incidents) - 1; i >= 0; i-- {
			inc := c.incidents[i]
			if a.RunTime.Sub(inc.Created) > cfg.LookbackDuration {
				break
			}
			if len(inc.Alerts) >= maxAlertsPerIncident || !matches(cfg, inc.Alerts[0], a) {
				continue
			}
			if inc.Status == "Closed" {
				if !cfg.ReopenClosedIncident {
					continue
				}
				inc.Status = "Active"
			}
			inc.add(a)
			return nil
		}
	}
	inc := &Incident{Name: guidFrom("incident", a.ID), Number: *next, Title: a.DisplayName, Description: a.Description,
		Status: "New", Rule: c.r, Created: a.RunTime, FirstActivity: a.StartTime, LastActivity: a.EndTime}
	*next++
	inc.add(a)
	c.incidents = append(c.incidents, inc)
	return inc
}

func (inc *Incident) add(a *Alert) {
	inc.Alerts = append(inc.Alerts, a)
	a.Incident = inc
	if inc.Severity == "" || severityRank[a.Severity] > severityRank[inc.Severity] {
		inc.Severity = a.Severity
	}
	if a.StartTime.Before(inc.FirstActivity) {
		inc.FirstActivity = a.StartTime
	}
	if a.EndTime.After(inc.LastActivity) {
		inc.LastActivity = a.EndTime
	}
	inc.versions = append(inc.versions, a.RunTime)
}

// LastModified is when an alert last joined the incident.
func (inc *Incident) LastModified() time.Time { return inc.versions[len(inc.versions)-1] }

// matches reports whether alert b joins the incident opened by alert a.
func matches(cfg IncidentConfig, a, b *Alert) bool {
	switch cfg.MatchingMethod {
	case "AnyAlert":
		return true
	case "Selected":
		for _, t := range cfg.GroupByEntities {
			if entitySet(a, t) != entitySet(b, t) {
				return false
			}
		}
		for _, d := range cfg.GroupByAlertDetails {
			switch d {
			case "DisplayName":
				if a.DisplayName != b.DisplayName {
					return false
				}
			case "Severity":
				if a.Severity != b.Severity {
					return false
				}
			}
		}
		for _, k := range cfg.GroupByCustomDetails {
			if customSet(a, k) != customSet(b, k) {
				return false
			}
		}
		return true
	}
	return entitySet(a, "") == entitySet(b, "") // AllEntities
}

// entitySet is a canonical form of an alert's entities of one type ("" for all).
func entitySet(a *Alert, typ string) string {
	var ks []string
	for _, e := range a.Entities {
		if typ == "" || e.Type == typ {
			ks = append(ks, e.key())
		}
	}
	sort.Strings(ks)
	return strings.Join(ks, "\n")
}

func customSet(a *Alert, key string) string {
	for _, cv := range a.Custom {
		if cv.Key == key {
			var ks []string
			for _, v := range cv.Values {
				ks = append(ks, strings.ToLower(types.DynamicJSON(v)))
			}
			slices.Sort(ks)
			return strings.Join(ks, "\n")
		}
	}
	return ""
}
