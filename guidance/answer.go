package guidance

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/paitor/paitor/content/place"
)

// answerText interprets what the person typed as the answer to node's question.
func (t *turn) answerText(key, raw string) {
	n := t.script.nodes[key]
	a := n.Ask
	f, _ := t.script.fields.Lookup(a.Field)
	// A chip's label or synonym typed answers like a tap; at a choice question
	// so does text holding the words of one chip only (synonyms.go). Numbers,
	// provinces and free text keep their own reading below.
	chips := t.script.askChoices(a)
	if a.Skip != nil {
		chips = append(slices.Clip(chips), Option{Label: *a.Skip})
	}
	var i int
	var ok bool
	if a.kind(f) == "choice" {
		i, ok = t.script.matchChoice(chips, raw)
	} else {
		i, ok = exactChoice(chips, normalize(raw))
	}
	if ok {
		switch o := chips[i]; {
		case a.Skip != nil && i == len(chips)-1:
			t.answered(key, nil)
		case o.Value == "" && o.Goto != "":
			t.choose(o.Goto, o.Set)
		default:
			t.answerValue(key, o.Value)
		}
		return
	}
	switch a.kind(f) {
	case "int":
		if n, ok := parseNumber(raw); ok {
			t.answerValue(key, strconv.Itoa(n))
			return
		}
	case "province":
		best, alts, ok := place.Find(raw)
		if ok && best.Exact {
			t.answerValue(key, best.Province.Code)
			return
		}
		var ms []place.Match
		if ok {
			ms = append(ms, best)
		}
		if t.confidentIntent(raw) {
			return
		}
		if ms = append(ms, alts...); len(ms) > 0 {
			t.didYouMean(key, ms)
			return
		}
	case "text":
		text := strings.TrimSpace(raw)
		if text != "" && (f.Max == 0 || len([]rune(text)) <= f.Max) {
			t.answerValue(key, text)
			return
		}
	}
	if t.confidentIntent(raw) {
		return
	}
	t.fallback()
}

// answerValue checks a value for node's question and, when it fits, records it
// and moves on.
func (t *turn) answerValue(key, value string) {
	n := t.script.nodes[key]
	a := n.Ask
	f, _ := t.script.fields.Lookup(a.Field)
	var chosen *Option
	switch a.kind(f) {
	case "choice":
		for _, o := range t.script.askChoices(a) {
			if o.Value == value {
				chosen = &o
				break
			}
		}
		if chosen == nil {
			t.fallback()
			return
		}
	case "int":
		v, err := strconv.Atoi(value)
		lo, hi := f.Min, f.Max
		if a.Min != nil {
			lo = *a.Min
		}
		if a.Max != nil {
			hi = *a.Max
		}
		if err != nil || v < lo || v > hi {
			t.fallback()
			return
		}
		value = strconv.Itoa(v) // "019" from a postback is 19
	case "province":
		p, ok := place.ByCode(value)
		if !ok {
			t.fallback()
			return
		}
		value = p.Code // "th-50" from a postback is TH-50
	case "text":
		if strings.TrimSpace(value) == "" {
			t.fallback()
			return
		}
	}
	for _, o := range a.Choices {
		if o.Value == value && chosen == nil {
			chosen = &o
		}
	}
	t.setVar(a.Field, value)
	t.answered(key, chosen)
}

// answered moves on from an answered (or skipped) question.
func (t *turn) answered(key string, chosen *Option) {
	n := t.script.nodes[key]
	delete(t.sess.Vars, "_miss")
	if chosen != nil {
		for _, field := range sortedKeys(chosen.Set) {
			t.setVar(field, chosen.Set[field])
		}
		if chosen.Goto != "" {
			t.run(chosen.Goto)
			return
		}
	}
	if n.Next != "" {
		t.run(n.Next)
		return
	}
	t.end()
}

var didYouMean = Text{TH: "หมายถึงจังหวัดไหนคะ? แตะเลือกได้เลย หรือพิมพ์ใหม่อีกครั้งนะคะ", EN: "Which province do you mean? Tap one, or type it again."}

// didYouMean offers the closest provinces as chips that answer the question.
func (t *turn) didYouMean(key string, ms []place.Match) {
	t.say(didYouMean)
	var chips []Choice
	for _, m := range ms[:min(len(ms), 4)] {
		name := m.Province.TH
		if t.sess.Lang == "en" {
			name = m.Province.EN
		}
		chips = append(chips, Choice{Label: clipRunes(name, maxLabelRunes), Data: answerData(key, m.Province.Code, "")})
	}
	chips = append(chips, Choice{Label: menuLabel.In(t.sess.Lang), Data: gotoData(NodeMenu, nil)})
	t.sess.Node = key
	t.msgs[len(t.msgs)-1].Choices = chips
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func provinceName(code, lang string) string {
	p, ok := place.ByCode(code)
	if !ok {
		return code
	}
	if lang == "en" {
		return p.EN
	}
	return p.TH
}

func nearestProvince(lat, lng float64) (string, float64) {
	p, km := place.Nearest(lat, lng)
	return p.Code, km
}

// parseNumber finds a whole number in what was typed: "19", "๑๙", "19 ปี",
// "อายุ 19 ค่ะ". Two different numbers ("18 หรือ 19") are not an answer.
func parseNumber(s string) (int, bool) {
	var nums []int
	cur, in := 0, false
	flush := func() {
		if in {
			nums = append(nums, cur)
		}
		cur, in = 0, false
	}
	for _, r := range s {
		d := -1
		switch {
		case r >= '0' && r <= '9':
			d = int(r - '0')
		case r >= '๐' && r <= '๙':
			d = int(r - '๐')
		}
		if d >= 0 {
			if cur > 1000 {
				return 0, false
			}
			cur, in = cur*10+d, true
			continue
		}
		flush()
	}
	flush()
	if len(nums) != 1 {
		return 0, false
	}
	return nums[0], true
}

// politeEndings are particles Thai speakers add to the end of a sentence; they
// do not change what was asked for.
var politeEndings = []string{"ครับผม", "ครับ", "คับ", "ค่ะ", "คะ", "ค่า", "จ้า", "จ้ะ", "นะ"}

// normalize folds what people type so that "เมนู ค่ะ", "Menu!" and "  เมนู"
// match "เมนู": lower case, no spaces or punctuation, no polite ending.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	out := b.String()
	for changed := true; changed; {
		changed = false
		for _, e := range politeEndings {
			if rest, ok := strings.CutSuffix(out, e); ok && rest != "" {
				out, changed = rest, true
			}
		}
	}
	return out
}
