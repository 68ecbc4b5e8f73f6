package signinlog

import (
	"strings"

	"github.com/huntbook/huntbook/internal/exportfile"
)

// toBool reads a boolean as JSON or the portal writes it.
func toBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case int64:
		if v == 0 || v == 1 {
			return v == 1, true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "yes", "1":
			return true, true
		case "false", "no", "0":
			return false, true
		}
	}
	return false, false
}

// converter reads datetimes as parseTime does and booleans as toBool.
var converter = exportfile.Converter{Time: parseTime, Bool: toBool}
