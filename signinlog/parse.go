package signinlog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/types"
)

// A one-pass JSON parser into dynamic values (objects as ordered bags,
// integral numbers as int64, others as float64, as types.ParseJSON
// makes them) that says where it stopped: downloads are read element by
// element with exact offsets, for the line of each sign-in, in one pass
// (encoding/json's Decoder and then types.ParseJSON took three times as
// long on a 50 MB page).

// syntaxError is malformed JSON at a byte offset.
type syntaxError struct {
	off int
	msg string
	eof bool // the data ends inside a value
}

func (e *syntaxError) Error() string { return e.msg }

func jsonErr(data []byte, i int, want string) error {
	if i >= len(data) {
		return &syntaxError{off: i, msg: "the data ends inside a value (cut short?)", eof: true}
	}
	r, _ := utf8.DecodeRune(data[i:])
	return &syntaxError{off: i, msg: fmt.Sprintf("unexpected %q, want %s", r, want)}
}

// parseValue parses the JSON value at data[i] (after spaces), returning
// it and the offset after it.
func parseValue(data []byte, i int, depth int) (any, int, error) {
	i = skipSpace(data, i)
	if i >= len(data) {
		return nil, i, jsonErr(data, i, "a value")
	}
	if depth > 1000 {
		return nil, i, &syntaxError{off: i, msg: "nested too deep"}
	}
	switch c := data[i]; {
	case c == '{':
		b := types.NewBagCap(8)
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == '}' {
			return b, i + 1, nil
		}
		for {
			i = skipSpace(data, i)
			if i >= len(data) || data[i] != '"' {
				return nil, i, jsonErr(data, i, "a property name")
			}
			k, next, err := parseString(data, i)
			if err != nil {
				return nil, i, err
			}
			i = skipSpace(data, next)
			if i >= len(data) || data[i] != ':' {
				return nil, i, jsonErr(data, i, "':' after a property name")
			}
			v, next, err := parseValue(data, i+1, depth+1)
			if err != nil {
				return nil, next, err
			}
			b.Set(k, v)
			i = skipSpace(data, next)
			if i < len(data) && data[i] == ',' {
				i++
				continue
			}
			if i < len(data) && data[i] == '}' {
				return b, i + 1, nil
			}
			return nil, i, jsonErr(data, i, "',' or '}'")
		}
	case c == '[':
		arr := []any{}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == ']' {
			return arr, i + 1, nil
		}
		for {
			v, next, err := parseValue(data, i, depth+1)
			if err != nil {
				return nil, next, err
			}
			arr = append(arr, v)
			i = skipSpace(data, next)
			if i < len(data) && data[i] == ',' {
				i++
				continue
			}
			if i < len(data) && data[i] == ']' {
				return arr, i + 1, nil
			}
			return nil, i, jsonErr(data, i, "',' or ']'")
		}
	case c == '"':
		return parseString(data, i)
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []struct {
			text string
			v    any
		}{{"true", true}, {"false", false}, {"null", nil}} {
			if len(data)-i >= len(lit.text) && string(data[i:i+len(lit.text)]) == lit.text {
				return lit.v, i + len(lit.text), nil
			}
		}
		return nil, i, jsonErr(data, i, "a value")
	case c == '-' || (c >= '0' && c <= '9'):
		j := i
		for j < len(data) && (data[j] == '-' || data[j] == '+' || data[j] == '.' || data[j] == 'e' || data[j] == 'E' || (data[j] >= '0' && data[j] <= '9')) {
			j++
		}
		if !json.Valid(data[i:j]) {
			return nil, i, &syntaxError{off: i, msg: fmt.Sprintf("%q is not a number", data[i:j])}
		}
		s := string(data[i:j])
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, j, nil
		}
		f, _ := strconv.ParseFloat(s, 64) // a valid number: at worst out of range, ±Inf
		return f, j, nil
	}
	return nil, i, jsonErr(data, i, "a value")
}

// parseString parses the string whose quote is at data[i]. Strings with
// no escapes (nearly all) are copied as they are; others go through
// encoding/json.
func parseString(data []byte, i int) (string, int, error) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			if !escaped {
				return string(data[i+1 : j]), j + 1, nil
			}
			var s string
			if err := json.Unmarshal(data[i:j+1], &s); err != nil {
				return "", i, &syntaxError{off: i, msg: "a string with a bad escape"}
			}
			return s, j + 1, nil
		case c < 0x20:
			return "", j, &syntaxError{off: j, msg: "a control character inside a string"}
		}
	}
	return "", len(data), jsonErr(data, len(data), "")
}
