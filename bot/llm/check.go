package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/paitor/paitor/guidance"
)

// Limits of the free-text arguments, in runes.
const (
	MaxQueryRunes  = 200
	MaxValueRunes  = 100
	MaxReasonRunes = 200
)

// The range of an "int" field (age is the only one).
const (
	minInt = 10
	maxInt = 99
)

// invalid returns an ErrInvalid with a fixed reason: never a value from the
// answer, which may echo what the person typed.
func invalid(reason string) error { return fmt.Errorf("%w: %s", ErrInvalid, reason) }

// decodeResponse takes the one command out of a chat completion: exactly one
// choice, finished normally, with content and no tool call nor refusal.
func decodeResponse(resp openai.ChatCompletionResponse, ch guidance.ModelChoices) (guidance.ModelCommand, error) {
	if len(resp.Choices) != 1 {
		return guidance.ModelCommand{}, invalid(fmt.Sprintf("%d choices in the answer", len(resp.Choices)))
	}
	c := resp.Choices[0]
	switch {
	case c.FinishReason == openai.FinishReasonLength:
		return guidance.ModelCommand{}, invalid("answer cut at the token limit")
	case c.Message.Refusal != "":
		return guidance.ModelCommand{}, invalid("the model refused")
	case len(c.Message.ToolCalls) > 0 || c.Message.FunctionCall != nil:
		return guidance.ModelCommand{}, invalid("a tool call instead of content")
	}
	return Decode([]byte(c.Message.Content), ch)
}

// Decode reads one command from the model's content and checks it (Check).
// The content must be exactly one JSON object whose keys are arguments of
// guidance.ModelCommand, each at most once, strings as strings and lists as
// lists of strings; nothing may follow it. A missing argument is empty. On
// an error (ErrInvalid) the command is empty.
func Decode(content []byte, ch guidance.ModelChoices) (guidance.ModelCommand, error) {
	cmd, err := decode(content)
	if err == nil {
		err = Check(cmd, ch)
	}
	if err != nil {
		return guidance.ModelCommand{}, err
	}
	return cmd, nil
}

func decode(content []byte) (guidance.ModelCommand, error) {
	var cmd guidance.ModelCommand
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(content)))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return cmd, invalid("the answer is not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return cmd, invalid("malformed JSON")
		}
		key, _ := t.(string)
		if seen[key] {
			return cmd, invalid("a key twice")
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return cmd, invalid("malformed JSON")
		}
		var dst any
		switch key {
		case "command":
			dst = &cmd.Command
		case "intent":
			dst = &cmd.Intent
		case "query":
			dst = &cmd.Query
		case "kind":
			dst = &cmd.Kind
		case "filters":
			dst = &cmd.Filters
		case "field":
			dst = &cmd.Field
		case "value":
			dst = &cmd.Value
		case "topic":
			dst = &cmd.Topic
		case "options":
			dst = &cmd.Options
		case "reason":
			dst = &cmd.Reason
		default:
			return cmd, invalid("an unknown key")
		}
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return cmd, invalid("a null argument")
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return cmd, invalid("an argument of the wrong type")
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return cmd, invalid("malformed JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return cmd, invalid("more than one JSON value")
	}
	if len(cmd.Filters) == 0 {
		cmd.Filters = nil
	}
	if len(cmd.Options) == 0 {
		cmd.Options = nil
	}
	return cmd, nil
}

// Check reports (as ErrInvalid) whether cmd is one command of the set with
// the arguments it takes, each fitting, and every other argument empty:
//   - start: intent among ch.Intents;
//   - search: query non-empty, at most 200 runes, no URL; kind among
//     guidance.SearchKinds; filters distinct, among guidance.SearchFilters;
//   - set_profile: field among ch.Fields, value fitting its type (a choice's
//     values; "int" a number 10–99; "province"/"text" 1–100 runes, no URL);
//   - answer: topic among ch.Topics;
//   - clarify: two or three distinct intents among ch.Intents;
//   - handoff: reason non-empty, at most 200 runes, no URL.
//
// Free text has no control characters. The engine checks the command again
// before carrying it out.
func Check(cmd guidance.ModelCommand, ch guidance.ModelChoices) error {
	used := map[string]bool{}
	switch cmd.Command {
	case guidance.ModelStart:
		used["intent"] = true
		if cmd.Intent == "" || !slices.Contains(choiceIDs(ch.Intents), cmd.Intent) {
			return invalid("start: unknown intent")
		}
	case guidance.ModelSearch:
		used["query"], used["kind"], used["filters"] = true, true, true
		if err := freeText("search: query", cmd.Query, MaxQueryRunes); err != nil {
			return err
		}
		if !slices.Contains(guidance.SearchKinds, cmd.Kind) {
			return invalid("search: unknown kind")
		}
		if err := distinctIn("search: filters", cmd.Filters, guidance.SearchFilters, 0, len(guidance.SearchFilters)); err != nil {
			return err
		}
	case guidance.ModelSetProfile:
		used["field"], used["value"] = true, true
		i := slices.IndexFunc(ch.Fields, func(f guidance.ModelField) bool { return f.Name == cmd.Field })
		if cmd.Field == "" || i < 0 {
			return invalid("set_profile: unknown field")
		}
		if err := fits(ch.Fields[i], cmd.Value); err != nil {
			return err
		}
	case guidance.ModelAnswer:
		used["topic"] = true
		if cmd.Topic == "" || !slices.Contains(choiceIDs(ch.Topics), cmd.Topic) {
			return invalid("answer: unknown topic")
		}
	case guidance.ModelClarify:
		used["options"] = true
		if err := distinctIn("clarify: options", cmd.Options, choiceIDs(ch.Intents), 2, 3); err != nil {
			return err
		}
	case guidance.ModelHandoff:
		used["reason"] = true
		if err := freeText("handoff: reason", cmd.Reason, MaxReasonRunes); err != nil {
			return err
		}
	default:
		return invalid("unknown command")
	}
	for _, a := range []struct {
		name  string
		empty bool
	}{
		{"intent", cmd.Intent == ""}, {"query", cmd.Query == ""}, {"kind", cmd.Kind == ""},
		{"filters", len(cmd.Filters) == 0}, {"field", cmd.Field == ""}, {"value", cmd.Value == ""},
		{"topic", cmd.Topic == ""}, {"options", len(cmd.Options) == 0}, {"reason", cmd.Reason == ""},
	} {
		if !used[a.name] && !a.empty {
			return invalid(cmd.Command + ": an argument it does not take: " + a.name)
		}
	}
	return nil
}

// fits checks a set_profile value against its field.
func fits(f guidance.ModelField, v string) error {
	switch fieldType(f) {
	case "choice":
		if v == "" || !slices.Contains(f.Values, v) {
			return invalid("set_profile: not one of the field's values")
		}
	case "int":
		n, err := strconv.Atoi(v)
		if err != nil || strconv.Itoa(n) != v || n < minInt || n > maxInt {
			return invalid("set_profile: not a whole number in range")
		}
	case "province", "text":
		return freeText("set_profile: value", v, MaxValueRunes)
	default:
		return invalid("set_profile: a field of unknown type")
	}
	return nil
}

// fieldType is the field's type, "" read as "choice".
func fieldType(f guidance.ModelField) string {
	if f.Type == "" {
		return "choice"
	}
	return f.Type
}

// distinctIn checks that list has between min and max distinct items of set.
func distinctIn(what string, list, set []string, lo, hi int) error {
	if len(list) < lo || len(list) > hi {
		return invalid(fmt.Sprintf("%s: %d items, want %d–%d", what, len(list), lo, hi))
	}
	seen := map[string]bool{}
	for _, v := range list {
		if v == "" || !slices.Contains(set, v) {
			return invalid(what + ": an unknown item")
		}
		if seen[v] {
			return invalid(what + ": an item twice")
		}
		seen[v] = true
	}
	return nil
}

// freeText checks a free-text argument: not blank, at most max runes, valid
// UTF-8, no control character, no URL.
func freeText(what, s string, max int) error {
	switch {
	case strings.TrimSpace(s) == "":
		return invalid(what + " is empty")
	case !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError):
		return invalid(what + " is not valid text")
	case utf8.RuneCountInString(s) > max:
		return invalid(fmt.Sprintf("%s is longer than %d characters", what, max))
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
		return invalid(what + " has control characters")
	case HasURL(s):
		return invalid(what + " has a URL")
	}
	return nil
}

var (
	urlScheme = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*:/+|\b(?:javascript|data|mailto|tel|line|intent|sms):\S|\bwww\.`)
	urlIP     = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	urlHost   = regexp.MustCompile(`(?i)[a-z0-9\-]+\.(?:[a-z0-9\-]+\.)*(?:` +
		`com|net|org|info|biz|io|ai|app|dev|xyz|site|online|link|click|top|me|ly|gl|to|cc|tk|ml|ga|cf|gq|co|` +
		`us|uk|th|asia|shop|store|club|live|page|ink|tv|ws|ru|cn|su|gd|is|it|in|example|test|invalid|` +
		`localhost|local|onion|ngrok)\b`)
	// A host written with spaces or words for its dots ("evil . com",
	// "evil dot com"), for the common top-level domains only: a sentence
	// ending before "In ..." or "It ..." is not a link.
	urlSpaced = regexp.MustCompile(`(?i)\b[a-z0-9\-]+\s*(?:\s\.|\.\s|\(dot\)|\[dot\]|\sdot\s|\sดอท\s)\s*(?:com|net|org|info|xyz|example|co\.th|in\.th)\b`)
	urlThai   = regexp.MustCompile(`\.\s*ไทย`)
)

// HasURL reports whether s holds something a browser could follow: a
// scheme (http://, line://, javascript:...), "www.", an IP address, a host
// name with a common or reserved top-level domain (also with full-width
// dots, or "dot" for a dot).
func HasURL(s string) bool {
	s = strings.NewReplacer("。", ".", "｡", ".", "﹒", ".").Replace(foldWidth(s))
	return urlScheme.MatchString(s) || urlIP.MatchString(s) || urlHost.MatchString(s) ||
		urlSpaced.MatchString(s) || urlThai.MatchString(s)
}
