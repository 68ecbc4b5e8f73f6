package rules

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/parser"
	"gopkg.in/yaml.v3"
)

// Rule is one analytics rule, as the Sentinel content repository writes it.
type Rule struct {
	File        string // where it was read from ("builtin/x.yaml" for shipped rules)
	ID          string
	Name        string
	Description string
	Severity    string // Informational, Low, Medium, High
	Kind        string // Scheduled or NRT
	Version     string
	Status      string

	RequiredDataConnectors []DataConnector
	QueryFrequency         time.Duration // NRT: one minute
	QueryPeriod            time.Duration // NRT: one minute
	TriggerOperator        string        // gt, lt, eq or ne
	TriggerThreshold       int
	Tactics                []string
	RelevantTechniques     []string
	Query                  string
	QueryLine              int // line of the query's first line in File

	EntityMappings       []EntityMapping
	CustomDetails        []CustomDetail
	AlertDetailsOverride *AlertDetailsOverride
	AggregationKind      string // SingleAlert (the default) or AlertPerResult
	Incident             IncidentConfig
	SuppressionEnabled   bool
	SuppressionDuration  time.Duration
}

// DataConnector is one requiredDataConnectors entry.
type DataConnector struct {
	ConnectorID string
	DataTypes   []string
}

// EntityMapping maps result columns to an entity's identifiers.
type EntityMapping struct {
	Type   string
	Fields []FieldMapping
	Line   int
}

// FieldMapping is one identifier of an entity mapping.
type FieldMapping struct {
	Identifier string
	Column     string
	Line       int
}

// CustomDetail surfaces a result column in the alert's ExtendedProperties.
type CustomDetail struct {
	Key    string
	Column string
	Line   int
}

// AlertDetailsOverride makes alert names, descriptions, severity, tactics
// and other properties come from the result's columns.
type AlertDetailsOverride struct {
	DisplayNameFormat string // {{Column}} substitutions
	DescriptionFormat string
	SeverityColumn    string
	TacticsColumn     string
	DynamicProperties []DynamicProperty
}

// DynamicProperty sets an alert property from a column.
type DynamicProperty struct {
	Property string // AlertLink, ConfidenceLevel, ProductName ...
	Column   string
}

// IncidentConfig is incidentConfiguration: whether alerts open incidents
// and how they are grouped.
type IncidentConfig struct {
	CreateIncident       bool
	GroupingEnabled      bool
	ReopenClosedIncident bool
	LookbackDuration     time.Duration
	MatchingMethod       string // AllEntities, AnyAlert or Selected
	GroupByEntities      []string
	GroupByAlertDetails  []string // DisplayName, Severity
	GroupByCustomDetails []string
}

// Diagnostic is a problem in a rule file, located by line, column and key.
type Diagnostic struct {
	File      string
	Line, Col int
	Key       string // dotted path: entityMappings[0].entityType
	Msg       string
	Warning   bool // the rule still loads
}

func (d Diagnostic) Error() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
		if d.Col > 0 {
			fmt.Fprintf(&b, ":%d", d.Col)
		}
	}
	b.WriteString(": ")
	if d.Warning {
		b.WriteString("warning: ")
	}
	if d.Key != "" {
		b.WriteString(d.Key + ": ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// Sentinel's limits and vocabularies.
const (
	minFrequency   = 5 * time.Minute
	maxPeriod      = 14 * 24 * time.Hour
	maxSuppression = 24 * time.Hour
	maxLookback    = 7 * 24 * time.Hour
	maxQueryLen    = 10000
	maxEntityMaps  = 10
	maxIdentifiers = 3
	maxCustom      = 20
	maxFormatParms = 3
	maxThreshold   = 10000
)

var (
	severities = []string{"Informational", "Low", "Medium", "High"}
	kinds      = []string{"Scheduled", "NRT"}
	tactics    = []string{"Reconnaissance", "ResourceDevelopment", "InitialAccess", "Execution", "Persistence",
		"PrivilegeEscalation", "DefenseEvasion", "CredentialAccess", "Discovery", "LateralMovement", "Collection",
		"CommandAndControl", "Exfiltration", "Impact", "PreAttack", "ImpairProcessControl", "InhibitResponseFunction"}
	triggerOps = map[string]string{"gt": "gt", "greaterthan": "gt", "lt": "lt", "lessthan": "lt",
		"eq": "eq", "equal": "eq", "ne": "ne", "notequal": "ne"}
	aggregationKinds = []string{"SingleAlert", "AlertPerResult"}
	matchingMethods  = []string{"AllEntities", "AnyAlert", "Selected"}
	alertDetails     = []string{"DisplayName", "Severity"}
	dynamicProps     = []string{"AlertLink", "ConfidenceLevel", "ConfidenceScore", "ExtendedLinks", "ProductComponentName",
		"ProductName", "ProviderName", "RemediationSteps", "Techniques", "SubTechniques"}
	// keys the content repository uses that do not change how a rule runs
	ignoredKeys = []string{"tags", "metadata", "status", "enabled", "displayName", "alertRuleTemplateName",
		"templateVersion", "subTechniques", "sentinelEntitiesMappings", "techniques"}

	guidRE      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	techniqueRE = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	customKeyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,19}$`)
	columnRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	paramRE     = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
)

// checker accumulates diagnostics while decoding one file.
type checker struct {
	file  string
	diags []Diagnostic
}

func (c *checker) errorf(n *yaml.Node, key, format string, args ...any) {
	d := Diagnostic{File: c.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		d.Line, d.Col = n.Line, n.Column
	}
	c.diags = append(c.diags, d)
}

func (c *checker) warnf(n *yaml.Node, key, format string, args ...any) {
	c.errorf(n, key, format, args...)
	c.diags[len(c.diags)-1].Warning = true
}

// ParseFile reads and validates one rule file.
func ParseFile(path string) (*Rule, []Diagnostic, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	r, diags := Parse(path, data)
	return r, diags, nil
}

// Parse decodes and validates a rule. It returns every problem found; the
// rule is usable only when none of them is an error (see Errors).
func Parse(file string, data []byte) (*Rule, []Diagnostic) {
	c := &checker{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d := Diagnostic{File: file, Msg: err.Error()}
		if m := regexp.MustCompile(`line (\d+)`).FindStringSubmatch(err.Error()); m != nil {
			d.Line, _ = strconv.Atoi(m[1])
		}
		return nil, []Diagnostic{d}
	}
	if len(doc.Content) == 0 {
		return nil, []Diagnostic{{File: file, Msg: "empty file: want a rule (id, name, severity, query ...)"}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		c.errorf(root, "", "want a mapping of rule properties, found %s", kindName(root))
		return nil, c.diags
	}
	r := &Rule{File: file, Kind: "Scheduled", AggregationKind: "SingleAlert", SuppressionDuration: 5 * time.Hour,
		Incident: IncidentConfig{CreateIncident: true, LookbackDuration: 5 * time.Hour, MatchingMethod: "AllEntities"}}
	c.rule(root, r)
	return r, c.diags
}

// Errors returns the diagnostics that are errors, joined, or nil.
func Errors(diags []Diagnostic) error {
	var errs []error
	for _, d := range diags {
		if !d.Warning {
			errs = append(errs, d)
		}
	}
	return errors.Join(errs...)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// pairs iterates a mapping node's key, value pairs.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

func (c *checker) str(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		c.errorf(n, key, "want a string, found %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

func (c *checker) boolean(n *yaml.Node, key string) (bool, bool) {
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	c.errorf(n, key, "want true or false, found %s", kindName(n))
	return false, false
}

func (c *checker) strList(n *yaml.Node, key string) []string {
	if n.Kind != yaml.SequenceNode {
		c.errorf(n, key, "want a list, found %s", kindName(n))
		return nil
	}
	var out []string
	for i, e := range n.Content {
		if s, ok := c.str(e, fmt.Sprintf("%s[%d]", key, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

func (c *checker) duration(n *yaml.Node, key string, lo, hi time.Duration) (time.Duration, bool) {
	s, ok := c.str(n, key)
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		c.errorf(n, key, "%v", err)
		return 0, false
	}
	if d < lo || d > hi {
		c.errorf(n, key, "%s is out of range: want %s to %s", s, FormatDuration(lo), FormatDuration(hi))
		return d, false
	}
	return d, true
}

// oneOf checks s against a vocabulary, suggesting the case-insensitive
// match when there is one.
func (c *checker) oneOf(n *yaml.Node, key, s string, valid []string) bool {
	if slices.Contains(valid, s) {
		return true
	}
	for _, v := range valid {
		if strings.EqualFold(v, s) {
			c.errorf(n, key, "%q: did you mean %q?", s, v)
			return false
		}
	}
	c.errorf(n, key, "%q is not valid (want one of %s)", s, strings.Join(valid, ", "))
	return false
}

func (c *checker) rule(root *yaml.Node, r *Rule) {
	seen := map[string]*yaml.Node{}
	var freqNode, periodNode *yaml.Node
	for _, kv := range pairs(root) {
		k, v := kv[0].Value, kv[1]
		if prev, dup := seen[k]; dup {
			c.errorf(kv[0], k, "given twice (first at line %d)", prev.Line)
			continue
		}
		seen[k] = kv[0]
		switch k {
		case "id":
			if s, ok := c.str(v, k); ok {
				r.ID = s
				if !guidRE.MatchString(s) {
					c.errorf(v, k, "%q is not a GUID", s)
				}
			}
		case "name":
			r.Name, _ = c.str(v, k)
			if len(r.Name) > 256 {
				c.errorf(v, k, "%d characters; Sentinel allows 256", len(r.Name))
			}
		case "description":
			r.Description, _ = c.str(v, k)
			r.Description = strings.TrimSpace(r.Description)
			if len(r.Description) > 1 && r.Description[0] == '\'' && r.Description[len(r.Description)-1] == '\'' {
				r.Description = r.Description[1 : len(r.Description)-1] // the repository quotes inside block scalars
			}
		case "severity":
			if s, ok := c.str(v, k); ok && c.oneOf(v, k, s, severities) {
				r.Severity = s
			}
		case "kind":
			if s, ok := c.str(v, k); ok && c.oneOf(v, k, s, kinds) {
				r.Kind = s
			}
		case "version":
			r.Version, _ = c.str(v, k)
		case "status":
			r.Status, _ = c.str(v, k)
		case "requiredDataConnectors":
			c.connectors(v, r)
		case "queryFrequency":
			freqNode = v
			r.QueryFrequency, _ = c.duration(v, k, minFrequency, maxPeriod)
		case "queryPeriod":
			periodNode = v
			r.QueryPeriod, _ = c.duration(v, k, minFrequency, maxPeriod)
		case "triggerOperator":
			if s, ok := c.str(v, k); ok {
				op, known := triggerOps[strings.ToLower(s)]
				if !known {
					c.errorf(v, k, "%q is not valid (want gt, lt, eq or ne)", s)
				}
				r.TriggerOperator = op
			}
		case "triggerThreshold":
			if s, ok := c.str(v, k); ok {
				n, err := strconv.Atoi(s)
				if err != nil || n < 0 || n > maxThreshold {
					c.errorf(v, k, "%q: want a whole number from 0 to %d", s, maxThreshold)
				}
				r.TriggerThreshold = n
			}
		case "tactics":
			for i, t := range c.strList(v, k) {
				if c.oneOf(v.Content[i], fmt.Sprintf("%s[%d]", k, i), t, tactics) {
					r.Tactics = append(r.Tactics, t)
				}
			}
		case "relevantTechniques":
			for i, t := range c.strList(v, k) {
				if !techniqueRE.MatchString(t) {
					c.errorf(v.Content[i], fmt.Sprintf("%s[%d]", k, i), "%q is not a MITRE ATT&CK technique id (T1234 or T1234.001)", t)
					continue
				}
				r.RelevantTechniques = append(r.RelevantTechniques, t)
			}
		case "query":
			if s, ok := c.str(v, k); ok {
				r.Query = s
				r.QueryLine = v.Line
				if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
					r.QueryLine = v.Line + 1 // a block scalar starts on the line after its indicator
				}
				c.query(v, r)
			}
		case "entityMappings":
			c.entityMappings(v, r)
		case "customDetails":
			c.customDetails(v, r)
		case "alertDetailsOverride":
			c.override(v, r)
		case "eventGroupingSettings":
			c.mapping(v, k, func(kk string, vv *yaml.Node) {
				if kk != "aggregationKind" {
					c.warnf(vv, k+"."+kk, "unknown key")
					return
				}
				if s, ok := c.str(vv, k+"."+kk); ok && c.oneOf(vv, k+"."+kk, s, aggregationKinds) {
					r.AggregationKind = s
				}
			})
		case "incidentConfiguration":
			c.incident(v, r)
		case "suppressionEnabled":
			r.SuppressionEnabled, _ = c.boolean(v, k)
		case "suppressionDuration":
			r.SuppressionDuration, _ = c.duration(v, k, minFrequency, maxSuppression)
		default:
			if !slices.Contains(ignoredKeys, k) {
				c.warnf(kv[0], k, "unknown key (ignored)")
			}
		}
	}
	for _, k := range []string{"id", "name", "severity", "query"} {
		if seen[k] == nil {
			c.errorf(root, k, "required key is missing")
		}
	}
	if seen["kind"] == nil {
		c.warnf(root, "kind", "missing; taken as Scheduled")
	}
	switch r.Kind {
	case "Scheduled":
		for _, k := range []string{"queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"} {
			if seen[k] == nil {
				c.errorf(root, k, "required for a Scheduled rule")
			}
		}
		if r.QueryFrequency > 0 && r.QueryPeriod > 0 && r.QueryPeriod < r.QueryFrequency {
			c.errorf(periodNode, "queryPeriod", "%s is shorter than queryFrequency %s (line %d): runs would miss data",
				FormatDuration(r.QueryPeriod), FormatDuration(r.QueryFrequency), freqNode.Line)
		}
	case "NRT":
		// NRT rules run every minute over the data ingested since the last run.
		for _, k := range []string{"queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"} {
			if seen[k] != nil {
				c.warnf(seen[k], k, "ignored for an NRT rule (it runs every minute and triggers on any result)")
			}
		}
		r.QueryFrequency, r.QueryPeriod, r.TriggerOperator, r.TriggerThreshold = time.Minute, time.Minute, "gt", 0
	}
	if r.Incident.GroupingEnabled {
		for i, k := range r.Incident.GroupByCustomDetails {
			if !slices.ContainsFunc(r.CustomDetails, func(d CustomDetail) bool { return d.Key == k }) {
				c.errorf(root, fmt.Sprintf("incidentConfiguration.groupingConfiguration.groupByCustomDetails[%d]", i),
					"%q is not a key of customDetails", k)
			}
		}
	}
}

func (c *checker) mapping(n *yaml.Node, key string, each func(k string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		c.errorf(n, key, "want a mapping, found %s", kindName(n))
		return
	}
	for _, kv := range pairs(n) {
		each(kv[0].Value, kv[1])
	}
}

func (c *checker) connectors(n *yaml.Node, r *Rule) {
	if n.Kind != yaml.SequenceNode {
		c.errorf(n, "requiredDataConnectors", "want a list, found %s", kindName(n))
		return
	}
	for i, e := range n.Content {
		key := fmt.Sprintf("requiredDataConnectors[%d]", i)
		var dc DataConnector
		c.mapping(e, key, func(k string, v *yaml.Node) {
			switch k {
			case "connectorId":
				dc.ConnectorID, _ = c.str(v, key+"."+k)
			case "dataTypes":
				dc.DataTypes = c.strList(v, key+"."+k)
			default:
				c.warnf(v, key+"."+k, "unknown key")
			}
		})
		r.RequiredDataConnectors = append(r.RequiredDataConnectors, dc)
	}
}

// query checks the KQL parses, placing errors on the file's lines.
func (c *checker) query(n *yaml.Node, r *Rule) {
	if strings.TrimSpace(r.Query) == "" {
		c.errorf(n, "query", "empty")
		return
	}
	if len(r.Query) > maxQueryLen {
		c.errorf(n, "query", "%d characters; Sentinel allows %d", len(r.Query), maxQueryLen)
	}
	_, _, err := parser.Parse("", []byte(r.Query))
	var list parser.ErrorList
	if !errors.As(err, &list) {
		return
	}
	block := n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	for _, e := range list {
		d := Diagnostic{File: c.file, Key: "query", Msg: e.Msg, Line: n.Line, Col: n.Column}
		if block {
			d.Line, d.Col = r.QueryLine+e.Pos.Line-1, 0
			if e.Pos.Column > 0 {
				d.Col = n.Column + e.Pos.Column - 1 // block content is indented like the key's value
			}
		} else if e.Pos.Line == 1 {
			d.Col = n.Column + e.Pos.Column - 1
		}
		c.diags = append(c.diags, d)
	}
}

func (c *checker) entityMappings(n *yaml.Node, r *Rule) {
	if n.Kind != yaml.SequenceNode {
		c.errorf(n, "entityMappings", "want a list, found %s", kindName(n))
		return
	}
	if len(n.Content) > maxEntityMaps {
		c.errorf(n, "entityMappings", "%d mappings; Sentinel allows %d", len(n.Content), maxEntityMaps)
	}
	for i, e := range n.Content {
		key := fmt.Sprintf("entityMappings[%d]", i)
		m := EntityMapping{Line: e.Line}
		var fields *yaml.Node
		c.mapping(e, key, func(k string, v *yaml.Node) {
			switch k {
			case "entityType":
				if s, ok := c.str(v, key+".entityType"); ok && c.oneOf(v, key+".entityType", s, entityTypeNames()) {
					m.Type = s
				}
			case "fieldMappings":
				fields = v
			default:
				c.warnf(v, key+"."+k, "unknown key")
			}
		})
		if e.Kind != yaml.MappingNode {
			continue
		}
		if fields == nil {
			c.errorf(e, key+".fieldMappings", "required: at least one identifier and the column it comes from")
			continue
		}
		if fields.Kind != yaml.SequenceNode || len(fields.Content) == 0 {
			c.errorf(fields, key+".fieldMappings", "want a list of identifier, columnName pairs")
			continue
		}
		if len(fields.Content) > maxIdentifiers {
			c.errorf(fields, key+".fieldMappings", "%d identifiers; Sentinel allows %d per entity", len(fields.Content), maxIdentifiers)
		}
		for j, f := range fields.Content {
			fkey := fmt.Sprintf("%s.fieldMappings[%d]", key, j)
			fm := FieldMapping{Line: f.Line}
			c.mapping(f, fkey, func(k string, v *yaml.Node) {
				switch k {
				case "identifier":
					fm.Identifier, _ = c.str(v, fkey+".identifier")
					if et, ok := entityTypes[m.Type]; ok && fm.Identifier != "" && !slices.Contains(et.identifiers, fm.Identifier) {
						c.oneOf(v, fkey+".identifier", fm.Identifier, et.identifiers)
					}
					if slices.ContainsFunc(m.Fields, func(x FieldMapping) bool { return x.Identifier == fm.Identifier }) {
						c.errorf(v, fkey+".identifier", "%q is mapped twice in this entity", fm.Identifier)
					}
				case "columnName":
					if s, ok := c.str(v, fkey+".columnName"); ok {
						fm.Column = s
						if !columnRE.MatchString(s) {
							c.errorf(v, fkey+".columnName", "%q is not a column name", s)
						}
					}
				default:
					c.warnf(v, fkey+"."+k, "unknown key")
				}
			})
			if f.Kind == yaml.MappingNode && (fm.Identifier == "" || fm.Column == "") {
				c.errorf(f, fkey, "want both identifier and columnName")
			}
			m.Fields = append(m.Fields, fm)
		}
		r.EntityMappings = append(r.EntityMappings, m)
	}
}

func (c *checker) customDetails(n *yaml.Node, r *Rule) {
	if n.Kind != yaml.MappingNode {
		c.errorf(n, "customDetails", "want a mapping of detail name to column, found %s", kindName(n))
		return
	}
	if len(n.Content)/2 > maxCustom {
		c.errorf(n, "customDetails", "%d details; Sentinel allows %d", len(n.Content)/2, maxCustom)
	}
	for _, kv := range pairs(n) {
		key := "customDetails." + kv[0].Value
		if !customKeyRE.MatchString(kv[0].Value) {
			c.errorf(kv[0], key, "a detail name is a letter then up to 19 letters, digits or _")
		}
		col, ok := c.str(kv[1], key)
		if ok && !columnRE.MatchString(col) {
			c.errorf(kv[1], key, "%q is not a column name", col)
		}
		r.CustomDetails = append(r.CustomDetails, CustomDetail{Key: kv[0].Value, Column: col, Line: kv[0].Line})
	}
}

func (c *checker) override(n *yaml.Node, r *Rule) {
	o := &AlertDetailsOverride{}
	const k0 = "alertDetailsOverride"
	c.mapping(n, k0, func(k string, v *yaml.Node) {
		key := k0 + "." + k
		switch k {
		case "alertDisplayNameFormat", "alertDescriptionFormat":
			s, ok := c.str(v, key)
			if !ok {
				return
			}
			params := paramRE.FindAllStringSubmatch(s, -1)
			if len(params) > maxFormatParms {
				c.errorf(v, key, "%d {{column}} parameters; Sentinel allows %d", len(params), maxFormatParms)
			}
			for _, p := range params {
				if !columnRE.MatchString(strings.TrimSpace(p[1])) {
					c.errorf(v, key, "{{%s}} is not a column name", p[1])
				}
			}
			if k == "alertDisplayNameFormat" {
				o.DisplayNameFormat = s
				if len(s) > 256 {
					c.errorf(v, key, "%d characters; Sentinel allows 256", len(s))
				}
			} else {
				o.DescriptionFormat = s
				if len(s) > 5000 {
					c.errorf(v, key, "%d characters; Sentinel allows 5000", len(s))
				}
			}
		case "alertSeverityColumnName":
			o.SeverityColumn, _ = c.str(v, key)
		case "alertTacticsColumnName":
			o.TacticsColumn, _ = c.str(v, key)
		case "alertDynamicProperties":
			if v.Kind != yaml.SequenceNode {
				c.errorf(v, key, "want a list, found %s", kindName(v))
				return
			}
			for i, e := range v.Content {
				ekey := fmt.Sprintf("%s[%d]", key, i)
				var dp DynamicProperty
				c.mapping(e, ekey, func(kk string, vv *yaml.Node) {
					switch kk {
					case "alertProperty":
						if s, ok := c.str(vv, ekey+"."+kk); ok && c.oneOf(vv, ekey+"."+kk, s, dynamicProps) {
							dp.Property = s
						}
					case "value":
						dp.Column, _ = c.str(vv, ekey+"."+kk)
					default:
						c.warnf(vv, ekey+"."+kk, "unknown key")
					}
				})
				if dp.Property != "" && dp.Column != "" {
					o.DynamicProperties = append(o.DynamicProperties, dp)
				}
			}
		default:
			c.warnf(v, key, "unknown key")
		}
	})
	r.AlertDetailsOverride = o
}

func (c *checker) incident(n *yaml.Node, r *Rule) {
	const k0 = "incidentConfiguration"
	c.mapping(n, k0, func(k string, v *yaml.Node) {
		key := k0 + "." + k
		switch k {
		case "createIncident":
			r.Incident.CreateIncident, _ = c.boolean(v, key)
		case "groupingConfiguration":
			c.mapping(v, key, func(kk string, vv *yaml.Node) {
				gkey := key + "." + kk
				g := &r.Incident
				switch kk {
				case "enabled":
					g.GroupingEnabled, _ = c.boolean(vv, gkey)
				case "reopenClosedIncident":
					g.ReopenClosedIncident, _ = c.boolean(vv, gkey)
				case "lookbackDuration":
					g.LookbackDuration, _ = c.duration(vv, gkey, minFrequency, maxLookback)
				case "matchingMethod":
					if s, ok := c.str(vv, gkey); ok && c.oneOf(vv, gkey, s, matchingMethods) {
						g.MatchingMethod = s
					}
				case "groupByEntities":
					for i, s := range c.strList(vv, gkey) {
						if c.oneOf(vv.Content[i], fmt.Sprintf("%s[%d]", gkey, i), s, entityTypeNames()) {
							g.GroupByEntities = append(g.GroupByEntities, s)
						}
					}
				case "groupByAlertDetails":
					for i, s := range c.strList(vv, gkey) {
						if c.oneOf(vv.Content[i], fmt.Sprintf("%s[%d]", gkey, i), s, alertDetails) {
							g.GroupByAlertDetails = append(g.GroupByAlertDetails, s)
						}
					}
				case "groupByCustomDetails":
					g.GroupByCustomDetails = c.strList(vv, gkey)
				default:
					c.warnf(vv, gkey, "unknown key")
				}
			})
			g := r.Incident
			if g.GroupingEnabled && g.MatchingMethod == "Selected" &&
				len(g.GroupByEntities)+len(g.GroupByAlertDetails)+len(g.GroupByCustomDetails) == 0 {
				c.errorf(v, key+".matchingMethod", "Selected needs groupByEntities, groupByAlertDetails or groupByCustomDetails")
			}
		default:
			c.warnf(v, key, "unknown key")
		}
	})
}
