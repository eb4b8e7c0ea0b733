package guidance

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Where the edge keeps a field (see data/fields.yaml).
const (
	StoreUser    = "user"
	StoreConsent = "consent"
	StoreSetting = "setting"
	StoreProfile = "profile"
	StoreSession = "session"
	StoreDerived = "derived" // facts the edge works out (a plan exists, a guardian confirmed); flows only read them
)

// Field describes one thing Pai Tor may know about a person.
type Field struct {
	Name   string          `yaml:"-"`
	Store  string          `yaml:"store"`
	Type   string          `yaml:"type"` // "" (one of Values), int, text, list, province
	Label  Text            `yaml:"label"`
	Values map[string]Text `yaml:"values"`
	Order  []string        `yaml:"-"` // Values' keys in file order
	Min    int             `yaml:"min"`
	Max    int             `yaml:"max"`
	// Also lists, by value, what people type for it besides its label (each
	// value's "also" in the file), for a question that offers the values.
	Also map[string][]string `yaml:"-"`
}

// Personal reports whether the field is personal data (kept only after
// consent).
func (f Field) Personal() bool { return f.Store == StoreProfile }

// Check reports whether value is acceptable for the field ("" always is: it
// clears the field).
func (f Field) Check(value string) error {
	if value == "" {
		return nil
	}
	switch f.Type {
	case "":
		if _, ok := f.Values[value]; !ok {
			return fmt.Errorf("%s: %q is not one of %v", f.Name, value, f.Order)
		}
	case "int":
		n, err := strconv.Atoi(value)
		if err != nil || n < f.Min || n > f.Max {
			return fmt.Errorf("%s: %q is not a number from %d to %d", f.Name, value, f.Min, f.Max)
		}
	case "text", "list", "province":
		if f.Max > 0 && len([]rune(value)) > f.Max*4 {
			return fmt.Errorf("%s: too long", f.Name)
		}
	}
	return nil
}

// Display returns a value as a person reads it ("ม.3" rather than "m3").
func (f Field) Display(value, lang string) string {
	if t, ok := f.Values[value]; ok {
		return t.In(lang)
	}
	return value
}

//go:embed data/fields.yaml
var fieldsFile []byte

// Fields is the registry of fields, by name.
type Fields map[string]*Field

// LoadFields parses and checks the field registry.
func LoadFields(b []byte) (Fields, error) {
	var doc struct {
		Fields yaml.Node `yaml:"fields"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("guidance: fields: %w", err)
	}
	out := Fields{}
	n := &doc.Fields
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		f := &Field{Name: name}
		if err := n.Content[i+1].Decode(f); err != nil {
			return nil, fmt.Errorf("guidance: field %s: %w", name, err)
		}
		if vals := findKey(n.Content[i+1], "values"); vals != nil {
			for j := 0; j+1 < len(vals.Content); j += 2 {
				value := vals.Content[j].Value
				f.Order = append(f.Order, value)
				var typed struct {
					Also []string `yaml:"also"`
				}
				if err := vals.Content[j+1].Decode(&typed); err != nil {
					return nil, fmt.Errorf("guidance: field %s value %s: %w", name, value, err)
				}
				if len(typed.Also) > 0 {
					if f.Also == nil {
						f.Also = map[string][]string{}
					}
					f.Also[value] = typed.Also
				}
			}
		}
		if !slices.Contains([]string{StoreUser, StoreConsent, StoreSetting, StoreProfile, StoreSession, StoreDerived}, f.Store) {
			return nil, fmt.Errorf("guidance: field %s: unknown store %q", name, f.Store)
		}
		if f.Type == "" && len(f.Values) == 0 {
			return nil, fmt.Errorf("guidance: field %s: needs values or a type", name)
		}
		if f.Label.TH == "" {
			return nil, fmt.Errorf("guidance: field %s: no Thai label", name)
		}
		out[name] = f
	}
	return out, nil
}

func findKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Lookup returns the field for a name. Names of the form "lesson_<id>" are the
// progress of a life-skills lesson (personal data: kept after consent only).
func (fs Fields) Lookup(name string) (*Field, bool) {
	if f, ok := fs[name]; ok {
		return f, true
	}
	if id, ok := strings.CutPrefix(name, "lesson_"); ok && id != "" {
		return &Field{Name: name, Store: StoreProfile, Label: Text{TH: "บทเรียน " + id, EN: "Lesson " + id},
			Values: map[string]Text{"done": {TH: "เรียนจบแล้ว", EN: "Finished"}}, Order: []string{"done"}}, true
	}
	if strings.HasPrefix(name, "_") || strings.HasPrefix(name, "q_") || strings.HasPrefix(name, "plan_") {
		// Scratch values of a conversation: never stored.
		return &Field{Name: name, Store: StoreSession, Type: "text"}, true
	}
	return nil, false
}
