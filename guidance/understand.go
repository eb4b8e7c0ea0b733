package guidance

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/guidance/intent"
	"github.com/paitor/paitor/guidance/search"
)

// Nodes of understand.yaml the engine enters itself.
const (
	NodeClarify       = "understand.clarify"        // two intents are close: ask
	NodeNotUnderstood = "understand.not_understood" // nothing fits: offer the likely ones
	NodeModel         = "understand.model"          // ask the edge's language model
	NodeProfileSet    = "understand.profile_set"    // a field set from what was typed
)

// Session variables of understanding.
const (
	varOffer = "_offer" // intent IDs to offer as chips (comma-separated)
	varCmd   = "_cmd"   // a language model's command (JSON), for apply_command
	varBack  = "_back"  // the flow node whose choices were waiting, offered again
)

// keyIntent is the postback key of a chip that starts an intent.
const keyIntent = "n"

// defaultOffer is offered when nothing at all hints at what was meant.
var defaultOffer = []string{"find_course", "find_work", "discover"}

// searchNodes start a catalog search of the typed text (_q), by kind.
var searchNodes = map[string]string{
	"course":  "understand.search_course",
	"opening": "understand.search_opening",
	"pair":    "understand.search_pair",
	"any":     NodeSearch,
}

// placeIntent understands typed text that is not the answer to the question
// waiting and not a command: a confident intent is started, two close ones
// are asked about (done), and anything else goes on to the next layer.
func (t *turn) placeIntent(raw string) (r intent.Result, done bool) {
	r = t.script.placeIntents(raw)
	switch {
	case r.Confident && len(r.Best) > 0:
		t.startIntent(r.Best[0].Intent, raw)
		return r, true
	case r.Close && len(r.Best) > 1 && r.Best[0].Intent.Search != "" && r.Best[1].Intent.Search != "" && hasSearchTerms(raw):
		// Courses or work about something named ("ช่างแอร์"): show both.
		t.setVar("_q", raw)
		t.run(NodeSearch)
		return r, true
	case r.Close && len(r.Best) > 1:
		t.offerIntents(NodeClarify, []string{r.Best[0].Intent.ID, r.Best[1].Intent.ID})
		return r, true
	}
	return r, false
}

// startIntent goes where an intent leads: a search of the typed text when the
// intent searches and the text names something to look for, else its node.
func (t *turn) startIntent(it *intent.Intent, raw string) {
	for _, field := range sortedKeys(it.Set) {
		t.setVar(field, it.Set[field])
	}
	if node, ok := searchNodes[it.Search]; ok && hasSearchTerms(raw) {
		t.setVar("_q", raw)
		t.run(node)
		return
	}
	t.run(it.Goto)
}

// hasSearchTerms reports whether typed text names something to look for in
// the catalog (a subject, a place, free, online, a kind of job).
func hasSearchTerms(raw string) bool {
	if raw == "" {
		return false
	}
	q := search.Parse(raw)
	return len(q.Groups) > 0 || len(q.Provinces) > 0 || q.Free || q.Online || q.Weekend || q.OpeningKind != ""
}

// notPlaced is what happens to text nothing placed: the language model, when
// the edge has one, else the likely intents as chips (understand.yaml).
func (t *turn) notPlaced(raw string, r intent.Result) {
	var likely []string
	for _, m := range r.Best {
		likely = append(likely, m.Intent.ID)
	}
	for _, id := range defaultOffer {
		if len(likely) >= 3 {
			break
		}
		if !slices.Contains(likely, id) {
			likely = append(likely, id)
		}
	}
	t.sess.Vars[varOffer] = strings.Join(likely[:min(len(likely), 3)], ",")
	if n := t.script.nodes[t.sess.Node]; n != nil && len(n.Choices) > 0 && t.sess.Node != t.menuNode() {
		// In the middle of a flow: without a model's answer, its own
		// choices are offered again rather than the likely things.
		t.sess.Vars[varBack] = t.sess.Node
	}
	t.setVar(varText, raw)
	t.run(NodeModel)
}

// offerIntents says node's words with the intents as chips.
func (t *turn) offerIntents(node string, ids []string) {
	t.sess.Vars[varOffer] = strings.Join(ids, ",")
	t.run(node)
}

// offerChips is the builtin offer_intents: the intents of _offer become the
// chips of the node's message, with a way to the menu.
func (t *turn) offerChips() string {
	if back := t.sess.Vars[varBack]; back != "" && t.script.nodes[back] != nil {
		delete(t.sess.Vars, varBack)
		delete(t.sess.Vars, varOffer)
		delete(t.sess.Vars, varText)
		t.offer, t.offerAt = t.chips(back, true), back
		return ""
	}
	delete(t.sess.Vars, varBack)
	var chips []Choice
	for _, id := range splitList(t.sess.Vars[varOffer]) {
		if it, ok := t.script.lookupIntent(id); ok && len(chips) < maxChoices-1 {
			label := it.Label.TH
			if t.sess.Lang == "en" && it.Label.EN != "" {
				label = it.Label.EN
			}
			chips = append(chips, Choice{Label: label, Data: url.Values{keyIntent: {id}}.Encode()})
		}
	}
	delete(t.sess.Vars, varOffer)
	delete(t.sess.Vars, varText)
	chips = append(chips, Choice{Label: menuLabel.In(t.sess.Lang), Data: gotoData(NodeMenu, nil)})
	t.offer = chips
	return ""
}

// intentPostback starts the intent of a chip; false for an unknown one.
func (t *turn) intentPostback(id string) bool {
	it, ok := t.script.lookupIntent(id)
	if !ok {
		return false
	}
	t.startIntent(it, "")
	return true
}

// applyCommand is the builtin apply_command: it carries out a language
// model's command (checked again here: the engine trusts no model) and says
// where the conversation goes next.
func (t *turn) applyCommand() string {
	raw := t.sess.Vars[varCmd]
	delete(t.sess.Vars, varCmd)
	delete(t.sess.Vars, varText)
	if c := (ModelCommand{}); json.Unmarshal([]byte(raw), &c) == nil && t.script.CheckModelCommand(c) == nil {
		delete(t.sess.Vars, varBack) // the model placed it: the flow is left
	}
	var c ModelCommand
	if json.Unmarshal([]byte(raw), &c) != nil || t.script.CheckModelCommand(c) != nil {
		return NodeNotUnderstood
	}
	switch c.Command {
	case ModelStart:
		it, _ := t.script.lookupIntent(c.Intent)
		for _, field := range sortedKeys(it.Set) {
			t.setVar(field, it.Set[field])
		}
		return it.Goto
	case ModelSearch:
		kind := c.Kind
		if kind == "any" {
			kind = ""
		}
		t.setVar("_kind", kind)
		for _, f := range SearchFilters {
			v := ""
			if slices.Contains(c.Filters, f) {
				v = "1"
			}
			t.setVar("_"+f, v)
		}
		t.setVar("_q", c.Query)
		t.setVar("_page", "")
		return "browse.run"
	case ModelSetProfile:
		f, _ := t.script.fields.Lookup(c.Field)
		t.setVar(c.Field, modelValue(f, c.Value))
		return NodeProfileSet
	case ModelAnswer:
		return t.script.topicNode(c.Topic)
	case ModelClarify:
		t.sess.Vars[varOffer] = strings.Join(c.Options, ",")
		return NodeClarify
	case ModelHandoff:
		return "start.human"
	}
	return NodeNotUnderstood
}

// modelValue is a checked value as the field keeps it (a province's code).
func modelValue(f *Field, v string) string {
	if f.Type == "province" {
		if p, ok := place.ByCode(v); ok {
			return p.Code
		}
		if m, _, ok := place.Find(v); ok && m.Exact {
			return m.Province.Code
		}
	}
	return strings.TrimSpace(v)
}

// topics are the answers a model may point to: the FAQ nodes of life.yaml,
// the help, and each life-skills lesson.
func (s *Script) topics() []ModelChoice {
	var out []ModelChoice
	for _, key := range s.sortedKeys() {
		if id, ok := strings.CutPrefix(key, "life.faq_"); ok {
			out = append(out, ModelChoice{ID: "faq_" + id, Text: s.nodes[key].Say[0].EN})
		}
	}
	out = append(out, ModelChoice{ID: "help", Text: "How to use Pai Tor"})
	for _, m := range s.lessons {
		out = append(out, ModelChoice{ID: "lesson_" + m.ID, Text: "Life-skills lesson: " + m.Title.EN})
	}
	return out
}

// topicNode is where a topic is answered.
func (s *Script) topicNode(id string) string {
	switch {
	case id == "help":
		return "start.help"
	case strings.HasPrefix(id, "faq_"):
		return "life." + id
	case strings.HasPrefix(id, "lesson_"):
		return "lesson." + strings.TrimPrefix(id, "lesson_")
	}
	return NodeNotUnderstood
}

// ModelChoices returns what a language model may name: the intents, the
// topics and the profile fields a person may set by typing (those a question
// asks for, as a choice, a number or a province).
func (s *Script) ModelChoices() ModelChoices {
	var c ModelChoices
	for _, it := range s.allIntents() {
		c.Intents = append(c.Intents, ModelChoice{ID: it.ID, Text: it.Label.EN})
	}
	c.Topics = s.topics()
	seen := map[string]bool{}
	for _, key := range s.sortedKeys() {
		a := s.nodes[key].Ask
		if a == nil || seen[a.Field] {
			continue
		}
		f, ok := s.fields.Lookup(a.Field)
		if !ok || f.Store != StoreProfile || f.Type == "list" {
			continue
		}
		typ := a.kind(f)
		if typ != "choice" && typ != "int" && typ != "province" {
			continue
		}
		seen[a.Field] = true
		mf := ModelField{Name: f.Name, Type: typ, Text: f.Label.EN}
		if typ == "choice" {
			mf.Values = slices.Clone(f.Order)
		}
		c.Fields = append(c.Fields, mf)
	}
	return c
}

// CheckModelCommand reports what is wrong with a language model's command, or
// nil when it is one Pai Tor may carry out: a known command with only its own
// arguments, each of them one the model may name, values that fit.
func (s *Script) CheckModelCommand(c ModelCommand) error {
	choices := s.ModelChoices()
	has := func(list []ModelChoice, id string) bool {
		return slices.ContainsFunc(list, func(m ModelChoice) bool { return m.ID == id })
	}
	unused := func(args ...string) error {
		for _, a := range args {
			if a != "" {
				return fmt.Errorf("guidance: %s command with an argument it does not take", c.Command)
			}
		}
		return nil
	}
	filters, options := strings.Join(c.Filters, ""), strings.Join(c.Options, "")
	switch c.Command {
	case ModelStart:
		if !has(choices.Intents, c.Intent) {
			return fmt.Errorf("guidance: unknown intent %q", c.Intent)
		}
		return unused(c.Query, c.Kind, c.Field, c.Value, c.Topic, c.Reason, filters, options)
	case ModelSearch:
		q := strings.ToLower(strings.TrimSpace(c.Query))
		if q == "" || utf8.RuneCountInString(q) > 200 || strings.Contains(q, "http") || strings.Contains(q, "://") || strings.Contains(q, "www.") {
			return fmt.Errorf("guidance: search query empty, too long or with a link")
		}
		if !slices.Contains(SearchKinds, c.Kind) {
			return fmt.Errorf("guidance: unknown search kind %q", c.Kind)
		}
		for _, f := range c.Filters {
			if !slices.Contains(SearchFilters, f) {
				return fmt.Errorf("guidance: unknown search filter %q", f)
			}
		}
		return unused(c.Intent, c.Field, c.Value, c.Topic, c.Reason, options)
	case ModelSetProfile:
		i := slices.IndexFunc(choices.Fields, func(f ModelField) bool { return f.Name == c.Field })
		if i < 0 {
			return fmt.Errorf("guidance: field %q may not be set by typing", c.Field)
		}
		f, _ := s.fields.Lookup(c.Field)
		if choices.Fields[i].Type == "province" {
			if _, ok := place.ByCode(modelValue(f, c.Value)); !ok {
				return fmt.Errorf("guidance: %q is not a province", c.Value)
			}
		} else if err := f.Check(c.Value); err != nil {
			return err
		}
		return unused(c.Intent, c.Query, c.Kind, c.Topic, c.Reason, filters, options)
	case ModelAnswer:
		if !has(choices.Topics, c.Topic) {
			return fmt.Errorf("guidance: unknown topic %q", c.Topic)
		}
		return unused(c.Intent, c.Query, c.Kind, c.Field, c.Value, c.Reason, filters, options)
	case ModelClarify:
		if len(c.Options) < 2 || len(c.Options) > 3 {
			return fmt.Errorf("guidance: clarify needs 2 or 3 options, not %d", len(c.Options))
		}
		for i, o := range c.Options {
			if !has(choices.Intents, o) || slices.Contains(c.Options[:i], o) {
				return fmt.Errorf("guidance: clarify option %q unknown or repeated", o)
			}
		}
		return unused(c.Intent, c.Query, c.Kind, c.Field, c.Value, c.Topic, c.Reason, filters)
	case ModelHandoff:
		if utf8.RuneCountInString(c.Reason) > 200 {
			return fmt.Errorf("guidance: handoff reason too long")
		}
		return unused(c.Intent, c.Query, c.Kind, c.Field, c.Value, c.Topic, filters, options)
	}
	return fmt.Errorf("guidance: unknown command %q", c.Command)
}

// intents checks the intents against the flows: each leads to a node that
// exists and may be entered from a chip, sets only fields a flow may set, and
// has a chip label within LINE's limits.
func (v *validator) intents() {
	if v.s.intents == nil {
		return // flows loaded for a test, without intents
	}
	for _, it := range v.s.intents.Intents() {
		from := "intent " + it.ID
		if it.Goto == "" {
			v.fail("%s leads nowhere", from)
		}
		v.target(from, "it", it.Goto)
		if n := v.s.nodes[it.Goto]; n != nil && slices.Contains(guardedActions, n.Action) {
			v.fail("%s leads to %s, which may be entered only from its own choice", from, it.Goto)
		}
		v.set(from, it.Set)
		v.label(from, Text{TH: it.Label.TH, EN: it.Label.EN})
	}
	for _, id := range defaultOffer {
		if _, ok := v.s.intents.Lookup(id); !ok {
			v.fail("the default offer names unknown intent %q", id)
		}
	}
}

// Placement is where the engine's own layers (no model) put a typed message
// when no question is waiting: for `paitor understand` and the figures.
type Placement struct {
	Layer  string   // "crisis", "command", "intent", "clarify", "search" or "none"
	Intent string   // the intent placed (layer intent), or "" for others
	Goto   string   // where the conversation would go
	Offer  []string // the intents offered (clarify, none)
}

// Place runs the layers a typed message meets outside a question, in the
// engine's order, without a model and without changing anything.
func (s *Script) Place(text string) Placement {
	if s.safety.Matches(text) {
		return Placement{Layer: "crisis", Goto: NodeCrisis}
	}
	if cmd, _, ok := s.command(normalize(text), text); ok {
		return Placement{Layer: "command", Goto: cmd.Goto}
	}
	r := s.placeIntents(text)
	var ids []string
	for _, m := range r.Best {
		ids = append(ids, m.Intent.ID)
	}
	switch {
	case r.Confident && len(r.Best) > 0:
		it := r.Best[0].Intent
		to := it.Goto
		if node, ok := searchNodes[it.Search]; ok && hasSearchTerms(text) {
			to = node
		}
		return Placement{Layer: "intent", Intent: it.ID, Goto: to}
	case r.Close && len(r.Best) > 1 && r.Best[0].Intent.Search != "" && r.Best[1].Intent.Search != "" && hasSearchTerms(text):
		return Placement{Layer: "search", Goto: NodeSearch, Offer: ids[:2]}
	case r.Close && len(r.Best) > 1:
		return Placement{Layer: "clarify", Goto: NodeClarify, Offer: ids[:2]}
	case looksLikeSearch(text):
		return Placement{Layer: "search", Goto: NodeSearch}
	}
	return Placement{Layer: "none", Goto: NodeModel, Offer: ids}
}

// IntentLeadsTo reports whether the intent id goes to node: directly, or by a
// search when it searches (for judging placements by where they lead).
func (s *Script) IntentLeadsTo(id, node string) bool {
	it, ok := s.lookupIntent(id)
	if !ok {
		return false
	}
	if it.Goto == node {
		return true
	}
	_, searches := searchNodes[it.Search]
	return searches && (node == NodeSearch || node == searchNodes[it.Search])
}

// placeIntents, lookupIntent and allIntents read the intents, of which a
// script loaded for a test of flows has none.
func (s *Script) placeIntents(text string) intent.Result {
	if s.intents == nil {
		return intent.Result{}
	}
	return s.intents.Place(text)
}

func (s *Script) lookupIntent(id string) (*intent.Intent, bool) {
	if s.intents == nil {
		return nil, false
	}
	return s.intents.Lookup(id)
}

func (s *Script) allIntents() []*intent.Intent {
	if s.intents == nil {
		return nil
	}
	return s.intents.Intents()
}
