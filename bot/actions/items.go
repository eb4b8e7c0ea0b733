package actions

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/guidance"
	"github.com/paitor/paitor/guidance/match"
)

// pageSize is how many cards one carousel shows.
const pageSize = render.MaxCards

// LinkTTL is how long an apply/contact link on a card keeps working.
const LinkTTL = 30 * 24 * time.Hour

// profileOf is what matching knows about the person: their profile fields as
// stored or, before they are stored, as this conversation holds them.
func (a *Actions) profileOf(t *Turn) match.Profile {
	p := match.Profile{}
	for name, f := range a.cfg.Script.Fields() {
		if f.Personal() {
			if v := t.Get(name); v != "" {
				p[name] = v
			}
		}
	}
	return p
}

// search ranks the catalog for the person and the refinements in the
// conversation, and returns one page of cards.
func (a *Actions) search(ctx context.Context, t *Turn, args map[string]string) (guidance.ActionResult, error) {
	cat, occ, err := a.cfg.Catalog.Catalog(ctx)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	feedback := a.cfg.Catalog.Votes(ctx)
	page, _ := strconv.Atoi(t.Get("_page"))
	if args["more"] == "1" {
		page++
	}
	kind := t.Get("_kind")
	opts := match.Options{
		Now: a.cfg.Now(), Limit: pageSize * (page + 1), Feedback: feedback, Occupations: occ,
		Filters: match.Refine{
			Near: t.Get("_near") == "1", Online: t.Get("_online") == "1", Free: t.Get("_free") == "1",
			Paid: t.Get("_paid") == "1", Weekend: t.Get("_weekend") == "1", Text: t.Get("_q"),
		},
	}
	if kind == "course" || kind == "opening" {
		opts.Kind = kind
	}
	ranking := cat.Rank(a.profileOf(t), opts)
	lang := t.Lang()
	var cards []render.Card
	alt := "alt_mixed"
	if kind == "pair" {
		alt = "alt_pairs"
		for _, p := range ranking.Pairs {
			cards = append(cards, a.pairCard(ctx, t, p, lang))
		}
	} else {
		if kind == "course" {
			alt = "alt_courses"
		} else if kind == "opening" {
			alt = "alt_openings"
		}
		for _, r := range ranking.Results {
			cards = append(cards, a.resultCard(ctx, t, r, lang))
		}
		if kind != "course" && len(ranking.Gaps) > 0 {
			// Openings out of reach, with the course that would open them,
			// at the end of the first page (the same place on every page
			// count, so paging stays consistent).
			var gaps []render.Card
			for _, g := range ranking.Gaps[:min(len(ranking.Gaps), 2)] {
				gaps = append(gaps, a.gapCard(ctx, t, g, lang))
			}
			at := min(len(cards), pageSize-len(gaps))
			cards = slices.Concat(cards[:at], gaps, cards[at:])
		}
	}
	if page*pageSize >= len(cards) {
		return guidance.ActionResult{OK: false, Vars: map[string]string{"_page": strconv.Itoa(max(page-1, 0))}}, nil
	}
	cards = cards[page*pageSize : min(len(cards), (page+1)*pageSize)]
	msg, err := render.Carousel(guidance.Word(alt, lang, "n", strconv.Itoa(len(cards))), cards, nil)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	t.Show(msg)
	return guidance.ActionResult{OK: true, Vars: map[string]string{"_page": strconv.Itoa(page)}}, nil
}

// resultCard is one ranked item as a card, its reason under it.
func (a *Actions) resultCard(ctx context.Context, t *Turn, r match.Result, lang string) render.Card {
	var it guidance.ItemText
	link := ""
	if r.Course != nil {
		it = guidance.DescribeCourse(*r.Course, lang, false)
		link = r.Course.URL
	} else {
		it = guidance.DescribeOpening(*r.Opening, lang, false)
		link = r.Opening.URL
	}
	return a.card(ctx, t, r.ID, it, r.ReasonText(lang), link, lang)
}

func (a *Actions) pairCard(ctx context.Context, t *Turn, p match.Pair, lang string) render.Card {
	c := guidance.DescribeCourse(*p.Course.Course, lang, false)
	o := guidance.DescribeOpening(*p.Opening.Opening, lang, false)
	it := guidance.ItemText{
		Badge:    guidance.Word("badge_pair", lang),
		Title:    guidance.Word("pair_title", lang, "course", c.Title, "opening", o.Title),
		Subtitle: c.Subtitle + " · " + o.Subtitle,
		Lines:    append(c.Lines[:min(len(c.Lines), 3):min(len(c.Lines), 3)], o.Lines[:min(len(o.Lines), 2)]...),
	}
	var reasons []string
	for _, r := range p.Reasons {
		reasons = append(reasons, reasonIn(r, lang))
	}
	return a.card(ctx, t, p.Course.ID, it, strings.Join(reasons, " · "), p.Opening.Opening.URL, lang)
}

// gapCard shows an opening the person cannot take yet with the course that
// leads to it; its buttons are the course's.
func (a *Actions) gapCard(ctx context.Context, t *Turn, g match.Gap, lang string) render.Card {
	c := guidance.DescribeCourse(*g.Course.Course, lang, false)
	o := guidance.DescribeOpening(*g.Opening.Opening, lang, false)
	it := guidance.ItemText{
		Badge:    guidance.Word("badge_gap", lang),
		Title:    guidance.Word("pair_title", lang, "course", c.Title, "opening", o.Title),
		Subtitle: c.Subtitle + " · " + o.Subtitle,
		Lines:    append(c.Lines[:min(len(c.Lines), 2):min(len(c.Lines), 2)], o.Lines[:min(len(o.Lines), 2)]...),
	}
	return a.card(ctx, t, g.Course.ID, it, reasonIn(g.Reason, lang), g.Course.Course.URL, lang)
}

// card adds the buttons: details, save, apply (through a tracked link the
// service owns, so the tap is recorded), and 👍/👎.
func (a *Actions) card(ctx context.Context, t *Turn, id string, it guidance.ItemText, reason, target, lang string) render.Card {
	c := render.Card{Title: it.Title, Subtitle: it.Subtitle, Lines: it.Lines, Reason: reason, Badge: it.Badge}
	button := func(node, word string) render.Button {
		label := guidance.Word("buttons."+word, lang)
		return render.Button{Label: label, Display: label, Data: url.Values{"g": {node}, "i": {id}}.Encode()}
	}
	c.Buttons = append(c.Buttons, button(guidance.NodeItemDetail, "detail"), button(guidance.NodeItemSave, "save"))
	if target != "" && a.cfg.PublicURL != "" {
		token, err := a.cfg.State.CreateLink(ctx, redisstate.Link{UserID: t.UserID, ItemID: id, URL: target}, LinkTTL)
		if err == nil {
			c.Buttons = append(c.Buttons, render.Button{Label: guidance.Word("buttons.apply", lang), URI: strings.TrimRight(a.cfg.PublicURL, "/") + "/go/" + token, Primary: true})
		}
	}
	c.Rating = []render.Button{button(guidance.NodeItemUp, "up"), button(guidance.NodeItemDown, "down")}
	return c
}

// itemCard looks up one item by ID (for details, reminders and saved items);
// ok is false when it is gone or closed.
func (a *Actions) itemCard(ctx context.Context, t *Turn, id string, detail bool) (render.Card, bool, error) {
	lang := t.Lang()
	now := a.cfg.Now()
	switch {
	case strings.HasPrefix(id, content.CoursePrefix):
		c, err := a.cfg.Store.Course(ctx, id)
		if content.IsNotFound(err) || (err == nil && !c.ClosesAt.IsZero() && !c.ClosesAt.After(now)) {
			return render.Card{}, false, nil
		}
		if err != nil {
			return render.Card{}, false, err
		}
		return a.card(ctx, t, id, guidance.DescribeCourse(c, lang, detail), "", c.URL, lang), true, nil
	case strings.HasPrefix(id, content.OpeningPrefix):
		o, err := a.cfg.Store.Opening(ctx, id)
		if content.IsNotFound(err) || (err == nil && !o.ValidUntil.IsZero() && !o.ValidUntil.After(now)) {
			return render.Card{}, false, nil
		}
		if err != nil {
			return render.Card{}, false, err
		}
		return a.card(ctx, t, id, guidance.DescribeOpening(o, lang, detail), "", o.URL, lang), true, nil
	}
	return render.Card{}, false, nil
}

func (a *Actions) itemDetail(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	card, ok, err := a.itemCard(ctx, t, t.Get("_item"), true)
	if err != nil || !ok {
		return guidance.ActionResult{}, err
	}
	msg, err := render.Carousel(card.Title, []render.Card{card}, nil)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	t.Show(msg)
	return guidance.ActionResult{OK: true}, nil
}

// itemSave keeps an item in the person's plan (personal data: with consent
// only) and, for a course that starts later, schedules a reminder the day
// before at 10:00.
func (a *Actions) itemSave(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	id := t.Get("_item")
	if !persistable(t) {
		return guidance.ActionResult{}, nil
	}
	if _, ok, err := a.itemCard(ctx, t, id, false); err != nil || !ok {
		return guidance.ActionResult{}, err
	}
	now := a.cfg.Now()
	if err := a.cfg.Store.SaveItem(ctx, t.UserID, id, now); err != nil {
		return guidance.ActionResult{}, fmt.Errorf("actions: save item: %w", err)
	}
	if strings.HasPrefix(id, content.CoursePrefix) {
		c, err := a.cfg.Store.Course(ctx, id)
		if err == nil && !c.StartDate.IsZero() {
			reminder := content.Scheduled{UserID: t.UserID, Kind: "reminder", Node: guidance.NodeReminder, Ref: id}
			if err := a.remindDayBefore(ctx, reminder, c.StartDate); err != nil {
				return guidance.ActionResult{}, err
			}
		}
	}
	return guidance.ActionResult{OK: true}, nil
}

// itemVote records a 👍 or 👎 (with consent; without it the thanks is all).
func (a *Actions) itemVote(ctx context.Context, t *Turn, args map[string]string) (guidance.ActionResult, error) {
	id := t.Get("_item")
	if !strings.HasPrefix(id, content.CoursePrefix) && !strings.HasPrefix(id, content.OpeningPrefix) {
		return guidance.ActionResult{}, nil
	}
	if t.Get("consent") == "accepted" {
		v := 1
		if args["vote"] == "down" {
			v = -1
		}
		if err := a.cfg.Store.RecordFeedback(ctx, t.UserID, id, v, a.cfg.Now()); err != nil && !content.IsNotFound(err) {
			return guidance.ActionResult{}, fmt.Errorf("actions: feedback: %w", err)
		}
	}
	return guidance.ActionResult{OK: true}, nil
}

// savedItems shows the person's saved items still on offer.
func (a *Actions) savedItems(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	if t.Get("consent") != "accepted" {
		return guidance.ActionResult{}, nil
	}
	ids, err := a.cfg.Store.SavedItems(ctx, t.UserID)
	if err != nil && !content.IsNotFound(err) {
		return guidance.ActionResult{}, fmt.Errorf("actions: saved items: %w", err)
	}
	var cards []render.Card
	for _, id := range ids {
		if len(cards) == render.MaxCards {
			break
		}
		card, ok, err := a.itemCard(ctx, t, id, false)
		if err != nil {
			return guidance.ActionResult{}, err
		}
		if ok {
			cards = append(cards, card)
		}
	}
	if len(cards) == 0 {
		return guidance.ActionResult{}, nil
	}
	msg, err := render.Carousel(guidance.Word("alt_saved", t.Lang(), "n", strconv.Itoa(len(cards))), cards, nil)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	t.Show(msg)
	return guidance.ActionResult{OK: true}, nil
}

// reasonIn is a matching reason in lang (Thai when there is no English).
func reasonIn(r match.Reason, lang string) string {
	if lang == "en" && r.EN != "" {
		return r.EN
	}
	return r.TH
}
