// Package types defines KQL's scalar data types and the Value that carries
// one scalar of any of them: the currency shared by the binder, the
// executor, the functions and every provider.
package types

import (
	"fmt"
	"strings"
)

// Type is a KQL scalar type.
type Type uint8

// The scalar types of KQL. Null is the type of an untyped null (print x=null
// is not legal KQL, but an empty dynamic or unknown column binds to it).
const (
	Null Type = iota
	Bool
	Int
	Long
	Real
	Decimal
	String
	DateTime
	TimeSpan
	GUID
	Dynamic
)

var typeNames = [...]string{
	Null:     "null",
	Bool:     "bool",
	Int:      "int",
	Long:     "long",
	Real:     "real",
	Decimal:  "decimal",
	String:   "string",
	DateTime: "datetime",
	TimeSpan: "timespan",
	GUID:     "guid",
	Dynamic:  "dynamic",
}

// String is the canonical KQL name: bool, int, long, real, decimal, string,
// datetime, timespan, guid, dynamic.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", t)
}

// aliases maps every type name KQL accepts (and the .NET / Log Analytics
// schema spellings seen in exported schemas) to its Type.
var aliases = map[string]Type{
	"bool": Bool, "boolean": Bool, "system.boolean": Bool, "sbyte": Bool,
	"int": Int, "int32": Int, "system.int32": Int,
	"long": Long, "int64": Long, "system.int64": Long,
	"real": Real, "double": Real, "float": Real, "system.double": Real, "system.single": Real,
	"decimal": Decimal, "system.decimal": Decimal, "system.data.sqltypes.sqldecimal": Decimal,
	"string": String, "system.string": String,
	"datetime": DateTime, "date": DateTime, "system.datetime": DateTime,
	"timespan": TimeSpan, "time": TimeSpan, "system.timespan": TimeSpan,
	"guid": GUID, "uniqueid": GUID, "system.guid": GUID,
	"dynamic": Dynamic, "object": Dynamic, "system.object": Dynamic,
}

// Parse maps a type name to its Type, case-insensitively, accepting KQL's
// aliases (boolean, double, date, time, uniqueid) and .NET names.
func Parse(name string) (Type, bool) {
	t, ok := aliases[strings.ToLower(strings.TrimSpace(name))]
	return t, ok
}

// IsNumeric reports whether t is int, long, real or decimal.
func (t Type) IsNumeric() bool { return t == Int || t == Long || t == Real || t == Decimal }

// IsInteger reports whether t is int or long.
func (t Type) IsInteger() bool { return t == Int || t == Long }

// Column is a named, typed column of a table schema.
type Column struct {
	Name string
	Type Type
}

// Schema is the ordered list of a table's columns.
type Schema []Column

// Index returns the position of the column named name (exact, case-sensitive
// as Kusto column names are), or -1.
func (s Schema) Index(name string) int {
	for i, c := range s {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// String renders the schema as KQL's (a:string, b:long).
func (s Schema) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, c := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
		b.WriteByte(':')
		b.WriteString(c.Type.String())
	}
	b.WriteByte(')')
	return b.String()
}
