package linefake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Detail is one problem found in a request body, as LINE reports it in
// the "details" of a 400 answer.
type Detail struct {
	// Message says what is wrong.
	Message string `json:"message"`
	// Property locates it, e.g. "messages[0].text" ("" = the whole body).
	Property string `json:"property,omitempty"`
}

// ValidationError is a request (or webhook body) that failed validation.
type ValidationError struct {
	// Endpoint is the API endpoint (see Call.Endpoint), or "webhook".
	Endpoint string
	// Message summarizes, e.g. "The request body has 2 error(s)".
	Message string
	// Details lists every problem found.
	Details []Detail
	// Body is the rejected request body (nil for webhook bodies).
	Body json.RawMessage
}

// Error lists the endpoint and every detail.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Endpoint, e.Message)
	for _, d := range e.Details {
		b.WriteString("; ")
		if d.Property != "" {
			b.WriteString(d.Property)
			b.WriteString(": ")
		}
		b.WriteString(d.Message)
	}
	return b.String()
}

// validator walks a JSON value against an OpenAPI schema, dispatching on
// discriminators (which kin-openapi's own validator does not do).
type validator struct {
	doc     *openapi3.T
	details []Detail
	// allowUnknownEvent accepts unknown "type" values where the schema has
	// an Event discriminator (webhooks: LINE adds event types).
	allowUnknownEvent bool
}

// add records one problem at path.
func (v *validator) add(path, format string, args ...any) {
	v.details = append(v.details, Detail{Message: fmt.Sprintf(format, args...), Property: path})
}

// decodeJSON decodes body keeping numbers as json.Number, so integers can
// be told from fractions.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("decode JSON: trailing data after the value")
	}
	return v, nil
}

// schemaNamed returns the component schema called name, or nil.
func schemaNamed(doc *openapi3.T, name string) *openapi3.SchemaRef {
	if doc == nil || doc.Components == nil {
		return nil
	}
	return doc.Components.Schemas[name]
}

// messagingSchema returns a schema of messaging-api.yml by name.
func (sp *specs) messagingSchema(name string) *openapi3.SchemaRef {
	return schemaNamed(sp.messaging, name)
}

// webhookSchema returns a schema of webhook.yml by name.
func (sp *specs) webhookSchema(name string) *openapi3.SchemaRef {
	return schemaNamed(sp.webhook, name)
}

// child joins a property name onto a path.
func child(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// index joins an array index onto a path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// walk validates val against ref at path. noDispatch skips the schema's
// discriminator: set when walking the parent inside a subtype's allOf.
func (v *validator) walk(ref *openapi3.SchemaRef, val any, path string, noDispatch bool) {
	if ref == nil || ref.Value == nil {
		return
	}
	s := ref.Value
	if s.Discriminator != nil && !noDispatch {
		v.dispatch(ref, val, path)
		return
	}
	if val == nil {
		if !s.Nullable && !s.Type.IsEmpty() && !s.Type.IncludesNull() {
			v.add(path, "must not be null (expected %s)", strings.Join(s.Type.Slice(), " or "))
		}
		return
	}
	if !v.checkType(s, val, path) {
		return
	}
	if len(s.Enum) > 0 && !inEnum(s.Enum, val) {
		v.add(path, "must be one of %v", s.Enum)
	}
	switch x := val.(type) {
	case string:
		v.checkString(s, x, path)
	case json.Number:
		v.checkNumber(s, x, path)
	case []any:
		v.checkArray(s, x, path)
	case map[string]any:
		v.checkObject(s, x, path)
	}
	for _, sub := range s.AllOf {
		v.walk(sub, val, path, true)
	}
	v.checkAlternatives(s, val, path)
}

// dispatch validates an object against the subtype its discriminator
// property names.
func (v *validator) dispatch(ref *openapi3.SchemaRef, val any, path string) {
	d := ref.Value.Discriminator
	obj, ok := val.(map[string]any)
	if !ok {
		v.add(path, "must be an object with a %q property", d.PropertyName)
		return
	}
	raw, present := obj[d.PropertyName]
	typ, isString := raw.(string)
	if !present || !isString {
		v.add(child(path, d.PropertyName), "must be a string naming the %s type", schemaName(ref))
		return
	}
	target, ok := d.Mapping[typ]
	if !ok {
		if v.allowUnknownEvent && schemaName(ref) == "Event" {
			v.walk(ref, val, path, true)
			return
		}
		v.add(child(path, d.PropertyName), "unknown %s type %q", schemaName(ref), typ)
		return
	}
	sub := v.resolve(target.Ref)
	if sub == nil {
		v.add(path, "linefake: schema %s not found in the specification", target.Ref)
		return
	}
	v.walk(sub, val, path, false)
	if !refersTo(sub, ref) { // a subtype not built on its parent: check the parent too
		v.walk(ref, val, path, true)
	}
}

// refersTo reports whether sub's allOf includes parent.
func refersTo(sub, parent *openapi3.SchemaRef) bool {
	for _, a := range sub.Value.AllOf {
		if a.Value == parent.Value {
			return true
		}
	}
	return false
}

// resolve finds the schema a "#/components/schemas/Name" reference names.
func (v *validator) resolve(ref string) *openapi3.SchemaRef {
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok {
		return nil
	}
	return schemaNamed(v.doc, name)
}

// schemaName returns the component name of a referenced schema, for messages.
func schemaName(ref *openapi3.SchemaRef) string {
	if i := strings.LastIndexByte(ref.Ref, '/'); i >= 0 {
		return ref.Ref[i+1:]
	}
	if ref.Ref != "" {
		return ref.Ref
	}
	return "object"
}

// jsonType names the JSON type of a decoded value.
func jsonType(val any) string {
	switch x := val.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if isInteger(x) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// isInteger reports whether n is a whole number.
func isInteger(n json.Number) bool {
	if _, err := n.Int64(); err == nil {
		return true
	}
	f, err := n.Float64()
	return err == nil && f == math.Trunc(f) && !strings.ContainsAny(string(n), ".")
}

// checkType reports whether val has one of the schema's types, recording
// an error when not.
func (v *validator) checkType(s *openapi3.Schema, val any, path string) bool {
	if s.Type.IsEmpty() {
		return true
	}
	got := jsonType(val)
	for _, t := range s.Type.Slice() {
		if t == got || (t == "number" && got == "integer") {
			return true
		}
	}
	v.add(path, "must be %s, not %s", strings.Join(s.Type.Slice(), " or "), got)
	return false
}

// inEnum reports whether val is one of the enum values.
func inEnum(enum []any, val any) bool {
	for _, e := range enum {
		switch x := val.(type) {
		case json.Number:
			f, _ := x.Float64()
			switch n := e.(type) {
			case float64:
				if n == f {
					return true
				}
			case int:
				if float64(n) == f {
					return true
				}
			}
		default:
			if e == val {
				return true
			}
		}
	}
	return false
}

// checkString checks length, pattern and format.
func (v *validator) checkString(s *openapi3.Schema, x, path string) {
	n := uint64(utf8.RuneCountInString(x))
	if n < s.MinLength {
		v.add(path, "length must be at least %d (is %d)", s.MinLength, n)
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		v.add(path, "length must be at most %d (is %d)", *s.MaxLength, n)
	}
	if s.Pattern != "" {
		re, err := compilePattern(s.Pattern)
		if err != nil {
			v.add(path, "linefake: bad pattern %q in the specification: %v", s.Pattern, err)
		} else if !re.MatchString(x) {
			v.add(path, "must match %s", s.Pattern)
		}
	}
	switch s.Format {
	case "uri":
		if u, err := url.Parse(x); err != nil || u.Scheme == "" {
			v.add(path, "must be an absolute URI")
		}
	case "uuid":
		if !uuidRE.MatchString(x) {
			v.add(path, "must be a UUID")
		}
	}
}

// uuidRE matches a UUID in its canonical hex form.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// patterns caches compiled schema patterns.
var patterns sync.Map // string → *regexp.Regexp

// compilePattern compiles (once) a schema pattern.
func compilePattern(p string) (*regexp.Regexp, error) {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("compile pattern: %w", err)
	}
	patterns.Store(p, re)
	return re, nil
}

// checkNumber checks integer-ness and bounds.
func (v *validator) checkNumber(s *openapi3.Schema, x json.Number, path string) {
	f, err := x.Float64()
	if err != nil {
		v.add(path, "is not a number")
		return
	}
	if s.Min != nil && (f < *s.Min || (s.ExclusiveMin.IsTrue() && f == *s.Min)) {
		v.add(path, "must be at least %v", *s.Min)
	}
	if s.Max != nil && (f > *s.Max || (s.ExclusiveMax.IsTrue() && f == *s.Max)) {
		v.add(path, "must be at most %v", *s.Max)
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		if q := f / *s.MultipleOf; q != math.Trunc(q) {
			v.add(path, "must be a multiple of %v", *s.MultipleOf)
		}
	}
}

// checkArray checks size and uniqueness and walks the items.
func (v *validator) checkArray(s *openapi3.Schema, x []any, path string) {
	n := uint64(len(x))
	if n < s.MinItems || (s.MaxItems != nil && n > *s.MaxItems) {
		if s.MaxItems != nil {
			v.add(path, "size must be between %d and %d (is %d)", s.MinItems, *s.MaxItems, n)
		} else {
			v.add(path, "size must be at least %d (is %d)", s.MinItems, n)
		}
	}
	if s.UniqueItems {
		seen := map[string]bool{}
		for i, item := range x {
			k, _ := json.Marshal(item)
			if seen[string(k)] {
				v.add(index(path, i), "duplicate item")
			}
			seen[string(k)] = true
		}
	}
	if s.Items != nil {
		for i, item := range x {
			v.walk(s.Items, item, index(path, i), false)
		}
	}
}

// checkObject checks required properties and walks the known and
// additional ones.
func (v *validator) checkObject(s *openapi3.Schema, x map[string]any, path string) {
	for _, r := range s.Required {
		if _, ok := x[r]; !ok {
			v.add(child(path, r), "required")
		}
	}
	for _, k := range sortedKeys(x) {
		if p, ok := s.Properties[k]; ok {
			v.walk(p, x[k], child(path, k), false)
		} else if ap := s.AdditionalProperties.Schema; ap != nil {
			v.walk(ap, x[k], child(path, k), false)
		}
	}
}

// checkAlternatives handles oneOf/anyOf (unused by the LINE specs today).
func (v *validator) checkAlternatives(s *openapi3.Schema, val any, path string) {
	count := func(alts openapi3.SchemaRefs) int {
		ok := 0
		for _, a := range alts {
			sub := &validator{doc: v.doc, allowUnknownEvent: v.allowUnknownEvent}
			sub.walk(a, val, path, false)
			if len(sub.details) == 0 {
				ok++
			}
		}
		return ok
	}
	if len(s.OneOf) > 0 && count(s.OneOf) != 1 {
		v.add(path, "must match exactly one of %d schemas", len(s.OneOf))
	}
	if len(s.AnyOf) > 0 && count(s.AnyOf) == 0 {
		v.add(path, "must match at least one of %d schemas", len(s.AnyOf))
	}
}
