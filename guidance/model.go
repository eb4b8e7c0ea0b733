package guidance

// ModelCommand is what a language model may ask Pai Tor to do with a message
// the intent layer could not place. It is one of a closed set of commands,
// each with only the arguments it names; the edge gets it from the model,
// checks it (Script.CheckModelCommand) and hands it to the engine, which
// checks it again before carrying it out. Nothing a model says reaches a
// person as free text.
type ModelCommand struct {
	// Command is one of: start, search, set_profile, answer, clarify, handoff.
	Command string `json:"command"`
	// start: the intent to start (an ID from ModelChoices.Intents).
	Intent string `json:"intent"`
	// search: what to look for in the catalog, in the person's words (no URL),
	// the kind ("course", "opening", "pair" or "any") and refinements (each
	// one of "near", "online", "free", "paid", "weekend").
	Query   string   `json:"query"`
	Kind    string   `json:"kind"`
	Filters []string `json:"filters"`
	// set_profile: a field the person may set by typing (ModelChoices.Fields)
	// and its value, checked like a typed answer.
	Field string `json:"field"`
	Value string `json:"value"`
	// answer: a topic of the project's own content (ModelChoices.Topics).
	Topic string `json:"topic"`
	// clarify: two or three intents to offer as chips.
	Options []string `json:"options"`
	// handoff: why the person needs a human, in a few words (kept for the
	// counsellor, never shown).
	Reason string `json:"reason"`
}

// The commands a model may give.
const (
	ModelStart      = "start"
	ModelSearch     = "search"
	ModelSetProfile = "set_profile"
	ModelAnswer     = "answer"
	ModelClarify    = "clarify"
	ModelHandoff    = "handoff"
)

// ModelCommands lists every command, in a fixed order.
var ModelCommands = []string{ModelStart, ModelSearch, ModelSetProfile, ModelAnswer, ModelClarify, ModelHandoff}

// SearchKinds and SearchFilters are the values a search command may use.
var (
	SearchKinds   = []string{"course", "opening", "pair", "any"}
	SearchFilters = []string{"near", "online", "free", "paid", "weekend"}
)

// ModelChoice is one value a model may name, with what it means (for the
// model's instructions).
type ModelChoice struct {
	ID   string `json:"id"`
	Text string `json:"text"` // a short English description
}

// ModelField is a field a person may set by typing, with its values when it
// is a choice ("" Type means choice).
type ModelField struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`             // "choice", "int", "province", "text"
	Values []string `json:"values,omitempty"` // for "choice"
	Text   string   `json:"text"`             // what it is, in English
}

// ModelChoices are the values a model may use: the schema's enums and the
// checks of CheckModelCommand come from the same lists.
type ModelChoices struct {
	Intents []ModelChoice
	Topics  []ModelChoice
	Fields  []ModelField
}
