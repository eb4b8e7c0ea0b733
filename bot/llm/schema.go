package llm

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paitor/paitor/guidance"
)

//go:embed prompt.md
var basePrompt string

// SchemaName is the json_schema's name in the request.
const SchemaName = "pai_tor_command"

// argumentOrder is the order of the schema's properties, which strict mode
// keeps when it writes the answer: the command first.
var argumentOrder = []string{"command", "intent", "query", "kind", "filters", "field", "value", "topic", "options", "reason"}

// property is one property of the schema: a string (with an enum when the
// values are closed) or an array of enum strings.
type property struct {
	Type  string    `json:"type"`
	Enum  []string  `json:"enum,omitempty"`
	Items *property `json:"items,omitempty"`
}

// Schema returns the strict JSON schema of a command for these choices: an
// object with every argument required and no other key; command, intent,
// kind, field and topic are enums (with "" for "not used"), filters and
// options arrays of enums, query, value and reason free strings (checked
// after). It is written by hand, not generated from guidance.ModelCommand,
// because strict mode needs every property in "required".
func Schema(ch guidance.ModelChoices) (json.RawMessage, error) {
	intents := choiceIDs(ch.Intents)
	fields := make([]string, 0, len(ch.Fields))
	for _, f := range ch.Fields {
		fields = append(fields, f.Name)
	}
	props := map[string]property{
		"command": {Type: "string", Enum: enum(false, guidance.ModelCommands)},
		"intent":  {Type: "string", Enum: enum(true, intents)},
		"query":   {Type: "string"},
		"kind":    {Type: "string", Enum: enum(true, guidance.SearchKinds)},
		"filters": {Type: "array", Items: &property{Type: "string", Enum: enum(false, guidance.SearchFilters)}},
		"field":   {Type: "string", Enum: enum(true, fields)},
		"value":   {Type: "string"},
		"topic":   {Type: "string", Enum: enum(true, choiceIDs(ch.Topics))},
		"options": {Type: "array", Items: &property{Type: "string", Enum: enum(false, intents)}},
		"reason":  {Type: "string"},
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"object","properties":{`)
	for i, name := range argumentOrder {
		if i > 0 {
			b.WriteByte(',')
		}
		p, err := json.Marshal(props[name])
		if err != nil {
			return nil, fmt.Errorf("%w: schema: %v", ErrInvalid, err)
		}
		fmt.Fprintf(&b, "%q:%s", name, p)
	}
	req, _ := json.Marshal(argumentOrder)
	fmt.Fprintf(&b, `},"required":%s,"additionalProperties":false}`, req)
	return json.RawMessage(b.Bytes()), nil
}

// enum returns the distinct non-empty values, led by "" when empty is
// allowed; an empty list is [""] (JSON schema needs one value at least).
func enum(allowEmpty bool, values []string) []string {
	out := []string{}
	if allowEmpty {
		out = append(out, "")
	}
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	if len(out) == 0 {
		out = append(out, "")
	}
	return out
}

func choiceIDs(cs []guidance.ModelChoice) []string {
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// SystemPrompt returns the system message: the fixed prompt (prompt.md) and
// the lists of intents, topics and fields with what each means. Nothing from
// the person's message is in it.
func SystemPrompt(ch guidance.ModelChoices) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(basePrompt))
	b.WriteString("\n\nIntents:\n")
	for _, c := range ch.Intents {
		fmt.Fprintf(&b, "- %s: %s\n", c.ID, oneLine(c.Text))
	}
	b.WriteString("Topics:\n")
	for _, c := range ch.Topics {
		fmt.Fprintf(&b, "- %s: %s\n", c.ID, oneLine(c.Text))
	}
	b.WriteString("Fields:\n")
	for _, f := range ch.Fields {
		switch fieldType(f) {
		case "choice":
			fmt.Fprintf(&b, "- %s (one of: %s): %s\n", f.Name, strings.Join(f.Values, ", "), oneLine(f.Text))
		case "int":
			fmt.Fprintf(&b, "- %s (a whole number %d–%d): %s\n", f.Name, minInt, maxInt, oneLine(f.Text))
		default:
			fmt.Fprintf(&b, "- %s (%s): %s\n", f.Name, fieldType(f), oneLine(f.Text))
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
