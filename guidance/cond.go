package guidance

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// condition is a parsed branch test: "field op value", "field set" or
// "field unset". Ops: == != < <= > >= (numbers compare as numbers).
type condition struct {
	field, op, value string
}

var condRE = regexp.MustCompile(`^\s*([a-z_][a-z0-9_]*)\s*(==|!=|<=|>=|<|>|\bset\b|\bunset\b|\bhas\b)\s*(.*?)\s*$`)

func parseCondition(s string, fields Fields) (condition, error) {
	m := condRE.FindStringSubmatch(s)
	if m == nil {
		return condition{}, fmt.Errorf("condition %q: want \"field op value\", \"field set\" or \"field unset\"", s)
	}
	c := condition{field: m[1], op: m[2], value: m[3]}
	if _, ok := fields.Lookup(c.field); !ok {
		return c, fmt.Errorf("condition %q tests unknown field %q", s, c.field)
	}
	if (c.op == "set" || c.op == "unset") != (c.value == "") {
		return c, fmt.Errorf("condition %q: %s takes no value", s, c.op)
	}
	switch c.op {
	case "<", "<=", ">", ">=":
		if _, err := strconv.Atoi(c.value); err != nil {
			return c, fmt.Errorf("condition %q compares with a non-number", s)
		}
	}
	return c, nil
}

// holds evaluates the condition against the known values.
func (c condition) holds(get func(string) string) bool {
	v := get(c.field)
	switch c.op {
	case "set":
		return v != ""
	case "unset":
		return v == ""
	case "==":
		return v == c.value
	case "!=":
		return v != c.value
	case "has":
		for _, item := range strings.Split(v, ",") {
			if item == c.value {
				return true
			}
		}
		return false
	}
	a, err1 := strconv.Atoi(v)
	b, err2 := strconv.Atoi(c.value)
	if err1 != nil || err2 != nil {
		return false
	}
	switch c.op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	default:
		return a >= b
	}
}

var templateRE = regexp.MustCompile(`\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}`)

// templateRefs lists the fields a text refers to as {{field}}.
func templateRefs(s string) []string {
	var out []string
	for _, m := range templateRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// fill replaces {{field}} with the field's value as a person reads it.
func fill(s string, display func(field string) string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return templateRE.ReplaceAllStringFunc(s, func(m string) string {
		return display(templateRE.FindStringSubmatch(m)[1])
	})
}
