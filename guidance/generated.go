package guidance

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance/assess"
	"github.com/paitor/paitor/guidance/lessons"
)

// Flows generated from content data: the interest inventory, the life-skills
// lessons and the plan's step choices. They are validated like written flows.

// Nodes the generated flows lead to, written in flows/*.yaml.
const (
	nodeAfterResult    = "guide.after_result"    // after the inventory result
	nodeAfterStrengths = "guide.after_strengths" // after the strength questions
	nodePlanShow       = "plan.show"             // after changing a plan step
)

// quickItemsPerCode is how many items per code the inventory asks (2 × 6 =
// 12 questions, about three minutes).
const quickItemsPerCode = 2

// inventoryItems returns the items asked, in file order.
func inventoryItems(inv *assess.Inventory) []assess.Item {
	per := map[string]int{}
	var out []assess.Item
	for _, it := range inv.Items {
		if per[it.Code] < quickItemsPerCode {
			per[it.Code]++
			out = append(out, it)
		}
	}
	return out
}

func inventoryFlow(inv *assess.Inventory) *Flow {
	f := &Flow{ID: "discover", Nodes: map[string]*Node{}}
	items := inventoryItems(inv)
	var scale []Option
	for _, o := range inv.Scale {
		scale = append(scale, Option{Label: Text{TH: o.TH, EN: o.EN}, Value: strconv.Itoa(o.Value), Also: o.Also})
	}
	retry := Text{TH: "แตะตอบได้เลยค่ะ: ชอบ เฉย ๆ หรือไม่ชอบ", EN: "Just tap: like, not sure or dislike."}
	for i, it := range items {
		next := fmt.Sprintf("q%02d", i+2)
		if i == len(items)-1 {
			next = "result"
		}
		f.Nodes[fmt.Sprintf("q%02d", i+1)] = &Node{
			Say: []Text{{
				TH: fmt.Sprintf("%d/%d · %s", i+1, len(items), it.TH),
				EN: fmt.Sprintf("%d/%d · %s", i+1, len(items), it.EN),
			}},
			Ask:  &Ask{Field: "q_" + it.ID, Choices: scale, Retry: retry},
			Next: next,
		}
	}
	f.Nodes["result"] = &Node{Action: "inventory_result", Next: nodeAfterResult}
	var yesNo []Option
	for _, o := range inv.StrengthScale {
		yesNo = append(yesNo, Option{Label: Text{TH: o.TH, EN: o.EN}, Value: strconv.Itoa(o.Value), Also: o.Also})
	}
	for i, s := range inv.Strengths {
		next := fmt.Sprintf("s%02d", i+2)
		if i == len(inv.Strengths)-1 {
			next = "strengths_result"
		}
		f.Nodes[fmt.Sprintf("s%02d", i+1)] = &Node{
			Say:  []Text{{TH: s.TH, EN: s.EN}},
			Ask:  &Ask{Field: "q_s_" + s.ID, Choices: yesNo, Retry: Text{TH: "แตะตอบได้เลยค่ะ", EN: "Just tap an answer."}},
			Next: next,
		}
	}
	f.Nodes["strengths_result"] = &Node{Action: "strengths_result", Next: nodeAfterStrengths}
	return f
}

// lessonsFlow makes each lesson's nodes; a check question's answers accept
// their number ("2", "ข้อ 2": typing.numbered) and the lesson's own synonyms.
func lessonsFlow(mods []lessons.Module, typing *typing) *Flow {
	f := &Flow{ID: "lesson", Nodes: map[string]*Node{}}
	menu := &Node{Say: []Text{{TH: "ทักษะชีวิต 🌱 เลือกบทเรียนสั้น ๆ ได้เลยค่ะ (บทละ 2-4 นาที จบแล้วได้เหรียญ)", EN: "Life skills 🌱 Pick a short lesson (2-4 minutes each, earn a badge)."}}}
	next := Text{TH: "ต่อไป ▶", EN: "Next ▶"}
	for mi, m := range mods {
		tx := func(t lessons.Text) Text { return Text{TH: t.TH, EN: t.EN} }
		label := m.Short
		if label.TH == "" {
			label = m.Title
		}
		menu.Choices = append(menu.Choices, Option{Label: tx(label), Goto: "lesson." + m.ID})
		f.Nodes[m.ID] = &Node{
			Say: []Text{{
				TH: fmt.Sprintf("%s %s\nใช้เวลาประมาณ %d นาที", m.Badge.Emoji, m.Title.TH, m.Minutes),
				EN: fmt.Sprintf("%s %s\nAbout %d minutes", m.Badge.Emoji, m.Title.EN, m.Minutes),
			}},
			Choices: []Option{
				{Label: Text{TH: "เริ่มเลย", EN: "Start"}, Goto: fmt.Sprintf("lesson.%s_1", m.ID)},
				{Label: Text{TH: "บทเรียนอื่น", EN: "Other lessons"}, Goto: "lesson.menu"},
			},
		}
		for i, msg := range m.Messages {
			to := fmt.Sprintf("lesson.%s_%d", m.ID, i+2)
			if i == len(m.Messages)-1 {
				to = fmt.Sprintf("lesson.%s_check", m.ID)
			}
			f.Nodes[fmt.Sprintf("%s_%d", m.ID, i+1)] = &Node{Say: []Text{tx(msg)}, Choices: []Option{{Label: next, Goto: to}}}
		}
		var answers []Option
		for ci, c := range m.Check.Choices {
			to := fmt.Sprintf("lesson.%s_wrong", m.ID)
			if ci == m.Check.Correct {
				to = fmt.Sprintf("lesson.%s_right", m.ID)
			}
			also := append(typing.numbered(ci+1), c.Also...)
			answers = append(answers, Option{Label: tx(c.Text), Value: strconv.Itoa(ci), Goto: to, Also: also})
		}
		f.Nodes[m.ID+"_check"] = &Node{
			Say: []Text{tx(m.Check.Question)},
			Ask: &Ask{Field: "q_check", Choices: answers, Retry: Text{TH: "แตะเลือกคำตอบได้เลยค่ะ", EN: "Tap an answer."}},
		}
		f.Nodes[m.ID+"_right"] = &Node{Say: []Text{tx(m.Check.Right)}, Next: m.ID + "_done"}
		f.Nodes[m.ID+"_wrong"] = &Node{Say: []Text{tx(m.Check.Wrong)}, Next: m.ID + "_done"}
		done := &Node{
			Set: map[string]string{"lesson_" + m.ID: "done", "badges": "+" + m.ID},
			Say: []Text{{
				TH: fmt.Sprintf("🎉 เก่งมากค่ะ! ได้เหรียญ %s %s\n\nลองทำสัปดาห์นี้: %s", m.Badge.Emoji, m.Badge.Name.TH, m.NextStep.TH),
				EN: fmt.Sprintf("🎉 Well done! You earned %s %s\n\nTry this week: %s", m.Badge.Emoji, m.Badge.Name.EN, m.NextStep.EN),
			}},
		}
		if mi+1 < len(mods) {
			done.Choices = append(done.Choices, Option{Label: Text{TH: "บทต่อไป", EN: "Next lesson"}, Goto: "lesson." + mods[mi+1].ID})
		}
		done.Choices = append(done.Choices,
			Option{Label: Text{TH: "บทเรียนอื่น", EN: "Other lessons"}, Goto: "lesson.menu"},
			Option{Label: Text{TH: "เมนู", EN: "Menu"}, Goto: NodeMenu})
		f.Nodes[m.ID+"_done"] = done
	}
	menu.Choices = append(menu.Choices, Option{Label: menuLabel, Goto: NodeMenu})
	f.Nodes["menu"] = menu
	return f
}

// planData is data/plan.yaml.
type planData struct {
	LessonForNeed map[string]string `yaml:"lesson_for_need"`
	FieldStep     Text              `yaml:"field_step"`
	AnyField      Text              `yaml:"any_field"`
	LessonStep    Text              `yaml:"lesson_step"`
	Fields        map[string]Text   `yaml:"fields"`
	Actions       map[string][]struct {
		ID    string   `yaml:"id"`
		Label Text     `yaml:"label"`
		Also  []string `yaml:"also"` // what people type for it (see synonyms.go)
		TH    string   `yaml:"th"`
		EN    string   `yaml:"en"`
	} `yaml:"actions"`
}

//go:embed data/plan.yaml
var planFile []byte

func loadPlanData() (*planData, error) {
	var p planData
	if err := yaml.Unmarshal(planFile, &p); err != nil {
		return nil, fmt.Errorf("guidance: plan.yaml: %w", err)
	}
	for _, need := range []string{"income", "qualification", "unsure"} {
		if len(p.Actions[need]) == 0 || p.LessonForNeed[need] == "" {
			return nil, fmt.Errorf("guidance: plan.yaml: nothing for need %q", need)
		}
	}
	for _, f := range content.Fields() {
		if p.Fields[f].TH == "" {
			return nil, fmt.Errorf("guidance: plan.yaml: no label for field %q", f)
		}
	}
	return &p, nil
}

// planFlow lets a person pick another first step: one question per need. A
// step accepts its number ("1", "ข้อ 1": typing.numbered) and its synonyms.
func planFlow(p *planData, typing *typing) *Flow {
	f := &Flow{ID: "planstep", Nodes: map[string]*Node{}}
	for need, acts := range p.Actions {
		var opts []Option
		for i, a := range acts {
			also := append(typing.numbered(i+1), a.Also...)
			opts = append(opts, Option{Label: a.Label, Value: "action:" + a.ID, Also: also})
		}
		f.Nodes[need] = &Node{
			Say:  []Text{{TH: "อยากเริ่มจากขั้นไหนดีคะ?", EN: "Which first step would you like?"}},
			Ask:  &Ask{Field: "plan_3", Choices: opts, Retry: Text{TH: "แตะเลือกได้เลยค่ะ", EN: "Tap one."}},
			Next: nodePlanShow,
		}
	}
	return f
}

// PlanStep is one step of a proposed plan.
type PlanStep struct {
	Kind string // "field", "lesson", "action"
	Ref  string
	TH   string
	EN   string
}

// PlanSteps describes the plan held in a conversation's values (plan_1..3).
func (s *Script) PlanSteps(get func(string) string) []PlanStep {
	var out []PlanStep
	for _, key := range []string{"plan_1", "plan_2", "plan_3"} {
		kind, ref, ok := strings.Cut(get(key), ":")
		if !ok {
			continue
		}
		if kind == "course" || kind == "opening" {
			// A catalog item: the edge that picked it gave its title.
			if th := get(key + "_th"); th != "" {
				out = append(out, PlanStep{Kind: kind, Ref: ref, TH: th, EN: get(key + "_en")})
			}
			continue
		}
		if st, ok := s.describeStep(kind, ref); ok {
			out = append(out, st)
		}
	}
	return out
}

func (s *Script) describeStep(kind, ref string) (PlanStep, bool) {
	st := PlanStep{Kind: kind, Ref: ref}
	switch kind {
	case "field":
		if ref == "any" {
			st.TH, st.EN = s.plan.AnyField.TH, s.plan.AnyField.EN
			return st, true
		}
		l, ok := s.plan.Fields[ref]
		if !ok {
			return st, false
		}
		st.TH = strings.ReplaceAll(s.plan.FieldStep.TH, "{field}", l.TH)
		st.EN = strings.ReplaceAll(s.plan.FieldStep.EN, "{field}", l.EN)
	case "lesson":
		m, ok := lessons.Find(s.lessons, ref)
		if !ok {
			return st, false
		}
		st.TH = strings.ReplaceAll(s.plan.LessonStep.TH, "{lesson}", m.Title.TH)
		st.EN = strings.ReplaceAll(s.plan.LessonStep.EN, "{lesson}", m.Title.EN)
	case "action":
		for _, acts := range s.plan.Actions {
			for _, a := range acts {
				if a.ID == ref {
					st.TH, st.EN = a.TH, a.EN
					return st, true
				}
			}
		}
		return st, false
	default:
		return st, false
	}
	return st, true
}

// builtinActions are the actions the engine does itself, by the name flows
// call them; every other action is done by the edge (EdgeActions). One may
// name the node the conversation goes to instead of the node's own way on.
var builtinActions = map[string]func(*turn) string{
	"inventory_result": func(t *turn) string { t.inventoryResult(); return "" },
	"strengths_result": func(t *turn) string { t.strengthsResult(); return "" },
	"plan_propose":     func(t *turn) string { t.planPropose(); return "" },
	"offer_intents":    (*turn).offerChips,
	"apply_command":    (*turn).applyCommand,
}

func (t *turn) inventoryResult() {
	inv := t.script.inventory
	answers := map[string]int{}
	for _, it := range inventoryItems(inv) {
		if v, err := strconv.Atoi(t.sess.Vars["q_"+it.ID]); err == nil {
			answers[it.ID] = v
		}
		delete(t.sess.Vars, "q_"+it.ID)
	}
	res, err := inv.Score(answers)
	if err != nil {
		res, _ = inv.Score(nil)
	}
	var scores []string
	for _, c := range []string{"R", "I", "A", "S", "E", "C"} {
		scores = append(scores, fmt.Sprintf("%s:%d", c, res.Scores[c]))
	}
	t.setVar("riasec", strings.Join(scores, ","))
	t.setVar("riasec_top", strings.Join(res.Top, ""))
	t.setVar("interests", strings.Join(res.Fields, ","))
	t.msgs = append(t.msgs, Message{Text: inv.Explain(res, t.sess.Lang)})
}

func (t *turn) strengthsResult() {
	inv := t.script.inventory
	yes := map[string]bool{}
	for _, s := range inv.Strengths {
		if t.sess.Vars["q_s_"+s.ID] == "1" {
			yes[s.ID] = true
		}
		delete(t.sess.Vars, "q_s_"+s.ID)
	}
	skills, _ := inv.Skills(yes)
	t.setVar("strengths", strings.Join(skills, ","))
}

// planPropose fills the three plan steps the person has not chosen yet and
// says the plan.
func (t *turn) planPropose() {
	p := t.script.plan
	need := t.get("need")
	if need == "" {
		need = "unsure"
	}
	if t.get("plan_1") == "" {
		field := "any"
		if list := splitList(t.get("interests")); len(list) > 0 {
			field = list[0]
		}
		t.setVar("plan_1", "field:"+field)
	}
	if t.get("plan_2") == "" {
		lesson := p.LessonForNeed[need]
		if t.get("lesson_"+lesson) == "done" {
			for _, m := range t.script.lessons {
				if t.get("lesson_"+m.ID) != "done" {
					lesson = m.ID
					break
				}
			}
		}
		t.setVar("plan_2", "lesson:"+lesson)
	}
	if t.get("plan_3") == "" {
		t.setVar("plan_3", "action:"+p.Actions[need][0].ID)
	}
	var b strings.Builder
	if t.sess.Lang == "en" {
		b.WriteString("Your plan, 3 steps 📝")
	} else {
		b.WriteString("แผนของคุณ 3 ขั้น 📝")
	}
	for i, st := range t.script.PlanSteps(t.get) {
		text := st.TH
		if t.sess.Lang == "en" {
			text = st.EN
		}
		fmt.Fprintf(&b, "\n%d. %s", i+1, text)
	}
	t.msgs = append(t.msgs, Message{Text: b.String()})
}
