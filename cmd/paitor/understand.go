package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/paitor/paitor/bot/llm"
	"github.com/paitor/paitor/guidance"
)

// runUnderstand reads phrases (one a line, or a CSV of phrase,expected intent)
// and prints, for each, the layer that placed it and what it chose, then the
// totals: so that an operator can measure Pai Tor's understanding on their own
// phrases, with their own model (OPENAI_API_KEY) or without one.
func runUnderstand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("understand", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("f", "", "read phrases from this file (default: standard input)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: paitor understand [-f FILE]\n\nReads phrases, one per line, or a CSV of phrase,expected_intent (a header line is allowed),\nand prints for each: the layer that placed it (crisis, command, intent, clarify, search, model, none),\nthe intent or command chosen, and ✓/✗ against the expected intent; then the totals.\nWith OPENAI_API_KEY set, what the layers without a model cannot place goes to the model.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	in := io.Reader(os.Stdin)
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	phrases, err := readPhrases(in)
	if err != nil {
		return err
	}
	script, err := guidance.LoadScript()
	if err != nil {
		return err
	}
	c, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	var model *llm.Client
	if lc := c.llm(); lc != nil {
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		rdb, closeRedis, err := openRedis(ctx, c, log)
		if err != nil {
			return err
		}
		defer closeRedis()
		lc.Redis, lc.Prefix, lc.Log = rdb, "paitor:understand:", log
		if model, err = llm.New(*lc); err != nil {
			return err
		}
	}
	return understandAll(ctx, script, model, phrases, stdout)
}

// phrase is one line of the input.
type phrase struct {
	text, expected string
}

// readPhrases reads plain lines, or CSV rows of phrase,expected (a first row
// naming the columns is skipped).
func readPhrases(in io.Reader) ([]phrase, error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out []phrase
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		p := phrase{text: strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff"))}
		if len(rec) > 1 {
			p.expected = strings.TrimSpace(rec[1])
		}
		if line == 1 && (p.expected == "expected" || p.expected == "expected_intent" || p.expected == "intent") {
			continue
		}
		if p.text != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// understandAll places every phrase and prints a line each and the totals.
func understandAll(ctx context.Context, script *guidance.Script, model *llm.Client, phrases []phrase, w io.Writer) error {
	layers := map[string]int{}
	judged, right := 0, 0
	fmt.Fprintln(w, "layer\tchosen\texpected\tok\tphrase")
	for _, p := range phrases {
		pl := script.Place(p.text)
		layer, chosen := pl.Layer, pl.Intent
		switch pl.Layer {
		case "command", "search", "crisis":
			chosen = pl.Goto
		case "clarify", "none":
			chosen = strings.Join(pl.Offer, "|")
		}
		if pl.Layer == "none" && model != nil {
			cmd, err := model.Understand(ctx, llm.Request{UserID: "paitor-understand", Text: p.text, Choices: script.ModelChoices(), Lang: "th"})
			if err != nil {
				layer, chosen = "none", "model: "+llm.Outcome(err)
			} else {
				layer, chosen = "model", modelSummary(cmd)
			}
		}
		layers[layer]++
		ok := ""
		if p.expected != "" {
			judged++
			if placedAs(script, pl, layer, p.expected) {
				right++
				ok = "✓"
			} else {
				ok = "✗"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", layer, chosen, p.expected, ok, p.text)
	}
	fmt.Fprintf(w, "\n%d phrases:", len(phrases))
	for _, l := range []string{"crisis", "command", "intent", "clarify", "search", "model", "none"} {
		if layers[l] > 0 {
			fmt.Fprintf(w, " %s %d (%.0f%%)", l, layers[l], pct(layers[l], len(phrases)))
		}
	}
	fmt.Fprintln(w)
	if judged > 0 {
		fmt.Fprintf(w, "placed as expected: %d of %d (%.1f%%)\n", right, judged, pct(right, judged))
	}
	return nil
}

// placedAs reports whether a placement is the expected intent: the intent
// itself, a command or search that goes where the intent goes, one of two
// offered when two were close, "none" for a phrase Pai Tor should not place.
func placedAs(script *guidance.Script, pl guidance.Placement, layer, expected string) bool {
	switch layer {
	case "intent":
		return pl.Intent == expected
	case "clarify":
		return slices.Contains(pl.Offer, expected)
	case "none":
		return expected == "none"
	}
	return script.IntentLeadsTo(expected, pl.Goto)
}

func modelSummary(c guidance.ModelCommand) string {
	switch c.Command {
	case guidance.ModelStart:
		return "start:" + c.Intent
	case guidance.ModelSearch:
		return "search:" + c.Kind + ":" + c.Query
	case guidance.ModelSetProfile:
		return "set_profile:" + c.Field + "=" + c.Value
	case guidance.ModelAnswer:
		return "answer:" + c.Topic
	case guidance.ModelClarify:
		return "clarify:" + strings.Join(c.Options, "|")
	}
	return c.Command
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}
