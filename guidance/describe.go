package guidance

import (
	"slices"
	"strings"

	"github.com/paitor/paitor/guidance/lessons"
)

// describeOrder is the order fields appear in "my data".
var describeOrder = []string{
	"role", "consent", "guardian", "age", "province", "district", "location", "status", "education", "need",
	"time", "hours", "budget", "travel", "device", "care", "riasec_top", "riasec", "interests", "strengths", "badges",
	"lang", "pushes", "checkins", "festivals", "alerts",
}

// DescribeData lists what is known about a person, one "• label: value" line
// a field, labels and values from the field registry, then the plan.
func (s *Script) DescribeData(get func(string) string, lang string) []string {
	var lines []string
	t := &turn{script: s, sess: Session{Lang: lang, Vars: map[string]string{}}, person: Person{Fields: map[string]string{}}}
	for _, name := range describeOrder {
		v := get(name)
		if v == "" {
			continue
		}
		f, ok := s.fields.Lookup(name)
		if !ok {
			continue
		}
		t.person.Fields[name] = v
		shown := t.display(name)
		if f.Type == "list" {
			var items []string
			for _, item := range splitList(v) {
				items = append(items, s.listItem(name, item, lang))
			}
			shown = strings.Join(items, ", ")
		}
		lines = append(lines, "• "+f.Label.In(lang)+": "+shown)
	}
	if steps := s.PlanSteps(get); len(steps) > 0 {
		f, _ := s.fields.Lookup("plan")
		lines = append(lines, "• "+f.Label.In(lang)+":")
		for i, st := range steps {
			text := st.TH
			if lang == "en" {
				text = st.EN
			}
			lines = append(lines, "   "+string(rune('1'+i))+". "+text)
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "—")
	}
	return lines
}

// listItem shows one item of a list field: an occupation family by name, a
// badge with its lesson's badge name.
func (s *Script) listItem(field, item, lang string) string {
	switch field {
	case "interests", "demand":
		if l, ok := s.plan.Fields[item]; ok {
			return l.In(lang)
		}
	case "badges":
		i := slices.IndexFunc(s.lessons, func(m lessons.Module) bool { return m.ID == item })
		if i >= 0 {
			m := s.lessons[i]
			return m.Badge.Emoji + " " + m.Badge.Name.Get(lang)
		}
	}
	return item
}
