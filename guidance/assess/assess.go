// Package assess is Pai Tor's interest inventory (Holland / RIASEC codes) and
// its "skills you already have" questions (ทักษะที่มีอยู่แล้ว), written for this
// project in plain Thai for young people aged 15–24.
//
// The data lives in riasec.yaml, embedded in the binary and validated when it
// loads, so every label and message it yields fits LINE's limits. Scoring and
// explaining are pure functions: no I/O at run time.
package assess

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content"
)

//go:embed riasec.yaml
var riasecYAML []byte

// Letters are the six Holland codes in their fixed order (content.InterestCodes,
// the one list the catalog and matching share). Ties between codes are broken
// by this order.
var Letters = content.InterestCodes

// fields is the fixed list of occupation families (content.Fields).
var fields = content.Fields()

// Limits the data must respect (checked when it loads).
const (
	minItems        = 12
	maxItems        = 30
	minPerCode      = 2
	maxScaleRunes   = 12   // answer labels: quick replies, with room to spare
	maxLabelRunes   = 20   // LINE quick-reply label
	maxItemRunes    = 120  // an item is one short line on a phone
	maxTextUnits    = 5000 // LINE text message, UTF-16 code units
	minOccupations  = 6
	maxOccupations  = 8
	maxExplainRunes = 600 // what Explain may return, per language
)

// Item is one statement of the inventory: something a person might like doing.
type Item struct {
	ID   string `yaml:"id"`
	Code string `yaml:"code"`
	TH   string `yaml:"th"`
	EN   string `yaml:"en"`
}

// ScaleOption is one answer a person can give (a quick-reply button).
type ScaleOption struct {
	Value int    `yaml:"value"`
	TH    string `yaml:"th"`
	EN    string `yaml:"en"`
	// Also lists what people type for this answer besides its label ("ชอบมาก",
	// "ok"); the conversation engine matches typed answers with them.
	Also []string `yaml:"also"`
}

// Code describes one Holland code in words a teenager understands, with
// example occupations reachable without a degree and the occupation families
// (see Fields) it points to.
type Code struct {
	Letter                       string
	NameTH, NameEN               string
	AboutTH, AboutEN             string
	OccupationsTH, OccupationsEN []string
	Fields                       []string
}

// Strength is a yes/no question about a skill the person already has.
type Strength struct {
	ID    string `yaml:"id"`
	TH    string `yaml:"th"`
	EN    string `yaml:"en"`
	Skill string `yaml:"skill"` // the skill tag a "yes" yields
}

// Inventory is the loaded, validated data. Treat it as read-only.
type Inventory struct {
	Items         []Item
	Scale         []ScaleOption // answers to items: ชอบ 2 / เฉย ๆ 1 / ไม่ชอบ 0
	Codes         map[string]Code
	Strengths     []Strength
	StrengthScale []ScaleOption // answers to strengths: ทำได้ 1 / ยังไม่ได้ 0
}

type text struct {
	TH string `yaml:"th"`
	EN string `yaml:"en"`
}

type codeFile struct {
	Name        text     `yaml:"name"`
	About       text     `yaml:"about"`
	Occupations []text   `yaml:"occupations"`
	Fields      []string `yaml:"fields"`
}

type file struct {
	Scale         []ScaleOption       `yaml:"scale"`
	Items         []Item              `yaml:"items"`
	Codes         map[string]codeFile `yaml:"codes"`
	StrengthScale []ScaleOption       `yaml:"strength_scale"`
	Strengths     []Strength          `yaml:"strengths"`
}

// Load returns the embedded inventory, validated.
func Load() (*Inventory, error) { return parse(riasecYAML) }

func parse(data []byte) (*Inventory, error) {
	var f file
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("assess: riasec.yaml: %w", err)
	}
	inv := &Inventory{
		Items:         f.Items,
		Scale:         f.Scale,
		Codes:         make(map[string]Code, len(f.Codes)),
		Strengths:     f.Strengths,
		StrengthScale: f.StrengthScale,
	}
	for letter, c := range f.Codes {
		code := Code{
			Letter: letter,
			NameTH: c.Name.TH, NameEN: c.Name.EN,
			AboutTH: c.About.TH, AboutEN: c.About.EN,
			Fields: c.Fields,
		}
		for _, o := range c.Occupations {
			code.OccupationsTH = append(code.OccupationsTH, o.TH)
			code.OccupationsEN = append(code.OccupationsEN, o.EN)
		}
		inv.Codes[letter] = code
	}
	if err := inv.Validate(); err != nil {
		return nil, fmt.Errorf("assess: riasec.yaml: %w", err)
	}
	return inv, nil
}

// Validate checks the inventory: 12–30 items with the same number (at least
// two) for every code, no two neighbouring items of the same code, unique IDs,
// Thai and English text everywhere within LINE's limits, a description for
// every code with 6–8 occupations and fields from the fixed list, and
// well-formed answer scales. It reports every problem it finds.
func (inv *Inventory) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	// Items.
	if n := len(inv.Items); n < minItems || n > maxItems {
		bad("%d items, want %d–%d", n, minItems, maxItems)
	}
	ids := map[string]bool{}
	perCode := map[string]int{}
	for i, it := range inv.Items {
		where := fmt.Sprintf("item %d (%q)", i+1, it.ID)
		if it.ID == "" {
			bad("item %d: no id", i+1)
		} else if ids[it.ID] {
			bad("%s: duplicate id", where)
		}
		ids[it.ID] = true
		if !slices.Contains(Letters, it.Code) {
			bad("%s: code %q is not one of R I A S E C", where, it.Code)
		}
		perCode[it.Code]++
		if i > 0 && inv.Items[i-1].Code == it.Code {
			bad("%s: same code %s as the item before it; mix the order", where, it.Code)
		}
		checkText(&errs, where, it.TH, it.EN, maxItemRunes)
	}
	want := -1
	for _, l := range Letters {
		n := perCode[l]
		if n < minPerCode {
			bad("code %s has %d items, want at least %d", l, n, minPerCode)
		}
		if want < 0 {
			want = n
		} else if n != want {
			bad("code %s has %d items but code R has %d; every code needs the same number so scores compare fairly", l, n, want)
		}
	}

	// Scales.
	checkScale(&errs, "scale", inv.Scale, 3)
	checkScale(&errs, "strength_scale", inv.StrengthScale, 2)

	// Codes.
	for _, l := range Letters {
		c, ok := inv.Codes[l]
		if !ok {
			bad("code %s: no description", l)
			continue
		}
		where := "code " + l
		checkText(&errs, where+" name", c.NameTH, c.NameEN, maxLabelRunes)
		checkText(&errs, where+" about", c.AboutTH, c.AboutEN, 300)
		if n := len(c.OccupationsTH); n < minOccupations || n > maxOccupations {
			bad("%s: %d occupations, want %d–%d", where, n, minOccupations, maxOccupations)
		}
		if len(c.OccupationsEN) != len(c.OccupationsTH) {
			bad("%s: %d Thai occupations but %d English", where, len(c.OccupationsTH), len(c.OccupationsEN))
		} else {
			for i := range c.OccupationsTH {
				w := fmt.Sprintf("%s occupation %d", where, i+1)
				checkText(&errs, w, c.OccupationsTH[i], c.OccupationsEN[i], 60)
				if strings.Contains(c.OccupationsTH[i]+c.OccupationsEN[i], ",") {
					bad("%s: no commas in an occupation (Explain lists them with commas); use /", w)
				}
			}
		}
		if len(c.Fields) == 0 {
			bad("%s: no fields", where)
		}
		seen := map[string]bool{}
		for _, f := range c.Fields {
			if !slices.Contains(fields, f) {
				bad("%s: field %q is not in the fixed list %v", where, f, fields)
			}
			if seen[f] {
				bad("%s: field %q twice", where, f)
			}
			seen[f] = true
		}
	}
	for l := range inv.Codes {
		if !slices.Contains(Letters, l) {
			bad("code %q is not one of R I A S E C", l)
		}
	}

	// Strengths.
	if n := len(inv.Strengths); n < 5 || n > 6 {
		bad("%d strengths, want 5–6", n)
	}
	sids := map[string]bool{}
	for i, s := range inv.Strengths {
		where := fmt.Sprintf("strength %d (%q)", i+1, s.ID)
		if s.ID == "" {
			bad("strength %d: no id", i+1)
		} else if sids[s.ID] {
			bad("%s: duplicate id", where)
		}
		sids[s.ID] = true
		if s.Skill == "" {
			bad("%s: no skill tag", where)
		}
		checkText(&errs, where, s.TH, s.EN, maxItemRunes)
	}
	return errors.Join(errs...)
}

func checkScale(errs *[]error, name string, scale []ScaleOption, n int) {
	if len(scale) != n {
		*errs = append(*errs, fmt.Errorf("%s: %d options, want %d", name, len(scale), n))
	}
	seen := map[int]bool{}
	for i, o := range scale {
		where := fmt.Sprintf("%s option %d", name, i+1)
		if o.Value < 0 {
			*errs = append(*errs, fmt.Errorf("%s: negative value %d", where, o.Value))
		}
		if seen[o.Value] {
			*errs = append(*errs, fmt.Errorf("%s: value %d twice", where, o.Value))
		}
		seen[o.Value] = true
		checkText(errs, where, o.TH, o.EN, maxScaleRunes)
	}
}

// checkText requires Thai (with at least one Thai letter) and English, each
// within maxRunes and LINE's text limit.
func checkText(errs *[]error, where, th, en string, maxRunes int) {
	add := func(format string, args ...any) {
		*errs = append(*errs, fmt.Errorf(where+": "+format, args...))
	}
	if strings.TrimSpace(th) == "" {
		add("no Thai text")
	} else if !hasThai(th) {
		add("Thai text %q has no Thai letters", th)
	}
	if strings.TrimSpace(en) == "" {
		add("no English text")
	}
	for _, t := range [][2]string{{"th", th}, {"en", en}} {
		lang, s := t[0], t[1]
		if n := utf8.RuneCountInString(s); n > maxRunes {
			add("%s text is %d characters, at most %d", lang, n, maxRunes)
		}
		if n := units(s); n > maxTextUnits {
			add("%s text is %d UTF-16 units, LINE allows %d", lang, n, maxTextUnits)
		}
	}
}

func hasThai(s string) bool {
	for _, r := range s {
		if r >= 0x0E01 && r <= 0x0E5B {
			return true
		}
	}
	return false
}

// units counts UTF-16 code units, as LINE does.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Item returns the item with the given ID.
func (inv *Inventory) Item(id string) (Item, bool) {
	for _, it := range inv.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// Result is a scored inventory.
type Result struct {
	Scores map[string]int // by code letter; every letter present
	Top    []string       // codes scoring above 0, best first, at most 3; ties in the order R I A S E C
	Fields []string       // occupation families of the Top codes, deduplicated, in order
}

// Score adds up the answers (item ID → scale value). An item not answered
// counts 0. An unknown item ID or a value not on the scale is an error. A code
// with no points at all is never in Top: liking nothing yet is not a result to
// label.
func (inv *Inventory) Score(answers map[string]int) (Result, error) {
	codeOf := make(map[string]string, len(inv.Items))
	for _, it := range inv.Items {
		codeOf[it.ID] = it.Code
	}
	r := Result{Scores: make(map[string]int, len(Letters))}
	for _, l := range Letters {
		r.Scores[l] = 0
	}
	var errs []error
	ids := make([]string, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	slices.Sort(ids) // deterministic error messages
	for _, id := range ids {
		v := answers[id]
		code, ok := codeOf[id]
		if !ok {
			errs = append(errs, fmt.Errorf("assess: unknown item %q", id))
			continue
		}
		if !slices.ContainsFunc(inv.Scale, func(o ScaleOption) bool { return o.Value == v }) {
			errs = append(errs, fmt.Errorf("assess: item %q: value %d is not on the answer scale", id, v))
			continue
		}
		r.Scores[code] += v
	}
	if err := errors.Join(errs...); err != nil {
		return Result{}, err
	}
	order := slices.Clone(Letters)
	slices.SortStableFunc(order, func(a, b string) int { return r.Scores[b] - r.Scores[a] })
	for _, l := range order {
		if len(r.Top) == 3 || r.Scores[l] == 0 {
			break
		}
		r.Top = append(r.Top, l)
	}
	for _, l := range r.Top {
		for _, f := range inv.Codes[l].Fields {
			if !slices.Contains(r.Fields, f) {
				r.Fields = append(r.Fields, f)
			}
		}
	}
	return r, nil
}

// Skills returns the skill tags of the strengths answered "yes" (value 1 on
// the strength scale, true here), in the inventory's order. An unknown ID is
// an error.
func (inv *Inventory) Skills(yes map[string]bool) ([]string, error) {
	var errs []error
	for id := range yes {
		if !slices.ContainsFunc(inv.Strengths, func(s Strength) bool { return s.ID == id }) {
			errs = append(errs, fmt.Errorf("assess: unknown strength %q", id))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var skills []string
	for _, s := range inv.Strengths {
		if yes[s.ID] && !slices.Contains(skills, s.Skill) {
			skills = append(skills, s.Skill)
		}
	}
	return skills, nil
}

// Explain words a result as one short chat message in Thai, or English when
// lang is "en": the person's top codes by name, what the first one means, 3–4
// example occupations from the top codes, and a next step. It encourages and
// never labels anyone as lacking.
func (inv *Inventory) Explain(r Result, lang string) string {
	en := strings.HasPrefix(strings.ToLower(lang), "en")
	var top []Code
	for _, l := range r.Top {
		if c, ok := inv.Codes[l]; ok && len(top) < 3 {
			top = append(top, c)
		}
	}
	if len(top) == 0 {
		if en {
			return "Nothing stood out as a favourite yet, and that is completely fine 😊 Lots of people feel this way.\n" +
				"Think of a time you did something and felt good, even something small. Or try one short, free course just to see.\n" +
				"Next step: tell Pai Tor what you did in the past week, or type \"talk to a person\" to reach a mentor."
		}
		return "ตอนนี้ยังไม่มีอะไรที่ชอบเป็นพิเศษ ไม่เป็นไรเลยค่ะ 😊 หลายคนก็เป็นแบบนี้\n" +
			"ลองนึกถึงตอนที่ทำอะไรแล้วรู้สึกดี แม้เป็นเรื่องเล็ก ๆ หรือลองคอร์สสั้น ๆ ฟรีสักคอร์สเพื่อหาสิ่งที่ใช่ก็ได้นะคะ\n" +
			"ขั้นต่อไป: เล่าให้ไปต่อฟังว่าสัปดาห์ที่แล้วทำอะไรบ้าง หรือพิมพ์ \"คุยกับคน\" เพื่อคุยกับพี่ที่ปรึกษาก็ได้ค่ะ"
	}

	names := make([]string, len(top))
	for i, c := range top {
		names[i] = pick(en, c.NameTH, c.NameEN)
	}
	jobs := examples(top, en, 4)
	flat := allEqual(r.Scores)

	var b strings.Builder
	if en {
		fmt.Fprintf(&b, "Your result: %s 🌱\n", strings.Join(names, " + "))
		if flat {
			b.WriteString("You like many kinds of things about equally, which is a strength too. Start with whichever feels right.\n")
		} else {
			b.WriteString(top[0].AboutEN + "\n")
		}
		fmt.Fprintf(&b, "Jobs to try: %s. You can start all of these with a short course, no degree needed.\n", strings.Join(jobs, ", "))
		b.WriteString("This is a starting point, not a verdict. Next step: look at short courses that fit you, or talk to a mentor.")
	} else {
		fmt.Fprintf(&b, "ผลของคุณ: %s 🌱\n", strings.Join(names, " + "))
		if flat {
			b.WriteString("คุณชอบหลายแบบพอ ๆ กัน ซึ่งเป็นข้อดีนะคะ เริ่มจากสายไหนก่อนก็ได้ค่ะ\n")
		} else {
			b.WriteString(top[0].AboutTH + "\n")
		}
		fmt.Fprintf(&b, "งานที่น่าลอง: %s เริ่มได้จากคอร์สสั้น ๆ ไม่ต้องมีปริญญาค่ะ\n", strings.Join(jobs, ", "))
		b.WriteString("ผลนี้เป็นแค่จุดเริ่มต้น ไม่ใช่คำตัดสินนะคะ ขั้นต่อไป: ลองดูคอร์สสั้น ๆ ที่เข้ากับคุณ หรือคุยกับพี่ที่ปรึกษาก็ได้ค่ะ")
	}
	return b.String()
}

// examples takes occupations round-robin from the codes (first of each, then
// second of each, ...) until it has n.
func examples(codes []Code, en bool, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		added := false
		for _, c := range codes {
			list := c.OccupationsTH
			if en {
				list = c.OccupationsEN
			}
			if i < len(list) && len(out) < n {
				out = append(out, list[i])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return out
}

// allEqual reports whether every code scored the same, above zero.
func allEqual(scores map[string]int) bool {
	if scores[Letters[0]] == 0 {
		return false
	}
	for _, l := range Letters {
		if scores[l] != scores[Letters[0]] {
			return false
		}
	}
	return true
}

func pick(en bool, th, eng string) string {
	if en {
		return eng
	}
	return th
}
