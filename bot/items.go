package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/guidance"
	"github.com/paitor/paitor/guidance/match"
)

// pageSize is how many cards one carousel shows.
const pageSize = render.MaxCards

// LinkTTL is how long an apply/contact link on a card keeps working.
const LinkTTL = 30 * 24 * time.Hour

// profileOf is what matching knows about the person: their profile fields as
// stored or, before they are stored, as this conversation holds them.
func (b *Bot) profileOf(x *exchange) match.Profile {
	p := match.Profile{}
	for name, f := range b.cfg.Script.Fields() {
		if f.Personal() {
			if v := x.get(name); v != "" {
				p[name] = v
			}
		}
	}
	return p
}

// search ranks the catalog for the person and the refinements in the
// conversation, and returns one page of cards.
func (b *Bot) search(ctx context.Context, x *exchange, args map[string]string) (guidance.ActionResult, []json.RawMessage, error) {
	cat, occ, err := b.catalog(ctx)
	if err != nil {
		return guidance.ActionResult{}, nil, err
	}
	feedback := b.feedback(ctx)
	page, _ := strconv.Atoi(x.get("_page"))
	if args["more"] == "1" {
		page++
	}
	kind := x.get("_kind")
	opts := match.Options{
		Now: b.cfg.Now(), Limit: pageSize * (page + 1), Feedback: feedback, Occupations: occ,
		Filters: match.Refine{
			Near: x.get("_near") == "1", Online: x.get("_online") == "1", Free: x.get("_free") == "1",
			Paid: x.get("_paid") == "1", Weekend: x.get("_weekend") == "1", Text: x.get("_q"),
		},
	}
	if kind == "course" || kind == "opening" {
		opts.Kind = kind
	}
	ranking := cat.Rank(b.profileOf(x), opts)
	lang := x.sess.Lang
	var cards []render.Card
	alt := "alt_mixed"
	if kind == "pair" {
		alt = "alt_pairs"
		for _, p := range ranking.Pairs {
			cards = append(cards, b.pairCard(ctx, x, p, lang))
		}
	} else {
		if kind == "course" {
			alt = "alt_courses"
		} else if kind == "opening" {
			alt = "alt_openings"
		}
		for _, r := range ranking.Results {
			cards = append(cards, b.resultCard(ctx, x, r, lang))
		}
		if kind != "course" && len(ranking.Gaps) > 0 {
			// Openings out of reach, with the course that would open them,
			// at the end of the first page (the same place on every page
			// count, so paging stays consistent).
			var gaps []render.Card
			for _, g := range ranking.Gaps[:min(len(ranking.Gaps), 2)] {
				gaps = append(gaps, b.gapCard(ctx, x, g, lang))
			}
			at := min(len(cards), pageSize-len(gaps))
			cards = slices.Concat(cards[:at], gaps, cards[at:])
		}
	}
	if page*pageSize >= len(cards) {
		return guidance.ActionResult{OK: false, Vars: map[string]string{"_page": strconv.Itoa(max(page-1, 0))}}, nil, nil
	}
	cards = cards[page*pageSize : min(len(cards), (page+1)*pageSize)]
	msg, err := render.Carousel(guidance.Word(alt, lang, "n", strconv.Itoa(len(cards))), cards, nil)
	if err != nil {
		return guidance.ActionResult{}, nil, err
	}
	return guidance.ActionResult{OK: true, Vars: map[string]string{"_page": strconv.Itoa(page)}}, []json.RawMessage{msg}, nil
}

// resultCard is one ranked item as a card, its reason under it.
func (b *Bot) resultCard(ctx context.Context, x *exchange, r match.Result, lang string) render.Card {
	var it guidance.ItemText
	link := ""
	if r.Course != nil {
		it = guidance.DescribeCourse(*r.Course, lang, false)
		link = r.Course.URL
	} else {
		it = guidance.DescribeOpening(*r.Opening, lang, false)
		link = r.Opening.URL
	}
	return b.card(ctx, x, r.ID, it, r.ReasonText(lang), link, lang)
}

func (b *Bot) pairCard(ctx context.Context, x *exchange, p match.Pair, lang string) render.Card {
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
	return b.card(ctx, x, p.Course.ID, it, strings.Join(reasons, " · "), p.Opening.Opening.URL, lang)
}

// gapCard shows an opening the person cannot take yet with the course that
// leads to it; its buttons are the course's.
func (b *Bot) gapCard(ctx context.Context, x *exchange, g match.Gap, lang string) render.Card {
	c := guidance.DescribeCourse(*g.Course.Course, lang, false)
	o := guidance.DescribeOpening(*g.Opening.Opening, lang, false)
	it := guidance.ItemText{
		Badge:    guidance.Word("badge_gap", lang),
		Title:    guidance.Word("pair_title", lang, "course", c.Title, "opening", o.Title),
		Subtitle: c.Subtitle + " · " + o.Subtitle,
		Lines:    append(c.Lines[:min(len(c.Lines), 2):min(len(c.Lines), 2)], o.Lines[:min(len(o.Lines), 2)]...),
	}
	return b.card(ctx, x, g.Course.ID, it, reasonIn(g.Reason, lang), g.Course.Course.URL, lang)
}

// card adds the buttons: details, save, apply (through a tracked link the
// service owns, so the tap is recorded), and 👍/👎.
func (b *Bot) card(ctx context.Context, x *exchange, id string, it guidance.ItemText, reason, target, lang string) render.Card {
	c := render.Card{Title: it.Title, Subtitle: it.Subtitle, Lines: it.Lines, Reason: reason, Badge: it.Badge}
	button := func(node, word string) render.Button {
		label := guidance.Word("buttons."+word, lang)
		return render.Button{Label: label, Display: label, Data: url.Values{"g": {node}, "i": {id}}.Encode()}
	}
	c.Buttons = append(c.Buttons, button(guidance.NodeItemDetail, "detail"), button(guidance.NodeItemSave, "save"))
	if target != "" && b.cfg.PublicURL != "" {
		token, err := b.cfg.State.CreateLink(ctx, redisstate.Link{UserID: x.userID, ItemID: id, URL: target}, LinkTTL)
		if err == nil {
			c.Buttons = append(c.Buttons, render.Button{Label: guidance.Word("buttons.apply", lang), URI: strings.TrimRight(b.cfg.PublicURL, "/") + "/go/" + token, Primary: true})
		}
	}
	c.Rating = []render.Button{button(guidance.NodeItemUp, "up"), button(guidance.NodeItemDown, "down")}
	return c
}

// itemCard looks up one item by ID (for details, reminders and saved items);
// ok is false when it is gone or closed.
func (b *Bot) itemCard(ctx context.Context, x *exchange, id string, detail bool) (render.Card, bool, error) {
	lang := x.sess.Lang
	now := b.cfg.Now()
	switch {
	case strings.HasPrefix(id, content.CoursePrefix):
		c, err := b.cfg.Store.Course(ctx, id)
		if content.IsNotFound(err) || (err == nil && !c.ClosesAt.IsZero() && !c.ClosesAt.After(now)) {
			return render.Card{}, false, nil
		}
		if err != nil {
			return render.Card{}, false, err
		}
		return b.card(ctx, x, id, guidance.DescribeCourse(c, lang, detail), "", c.URL, lang), true, nil
	case strings.HasPrefix(id, content.OpeningPrefix):
		o, err := b.cfg.Store.Opening(ctx, id)
		if content.IsNotFound(err) || (err == nil && !o.ValidUntil.IsZero() && !o.ValidUntil.After(now)) {
			return render.Card{}, false, nil
		}
		if err != nil {
			return render.Card{}, false, err
		}
		return b.card(ctx, x, id, guidance.DescribeOpening(o, lang, detail), "", o.URL, lang), true, nil
	}
	return render.Card{}, false, nil
}

func (b *Bot) itemDetail(ctx context.Context, x *exchange) (guidance.ActionResult, []json.RawMessage, error) {
	card, ok, err := b.itemCard(ctx, x, x.get("_item"), true)
	if err != nil || !ok {
		return guidance.ActionResult{}, nil, err
	}
	msg, err := render.Carousel(card.Title, []render.Card{card}, nil)
	if err != nil {
		return guidance.ActionResult{}, nil, err
	}
	return guidance.ActionResult{OK: true}, []json.RawMessage{msg}, nil
}

// itemSave keeps an item in the person's plan (personal data: with consent
// only) and, for a course that starts later, schedules a reminder the day
// before at 10:00.
func (b *Bot) itemSave(ctx context.Context, x *exchange) (guidance.ActionResult, error) {
	id := x.get("_item")
	if !persistable(x.get) {
		return guidance.ActionResult{}, nil
	}
	if _, ok, err := b.itemCard(ctx, x, id, false); err != nil || !ok {
		return guidance.ActionResult{}, err
	}
	now := b.cfg.Now()
	if err := b.cfg.Store.SaveItem(ctx, x.userID, id, now); err != nil {
		return guidance.ActionResult{}, fmt.Errorf("bot: save item: %w", err)
	}
	if strings.HasPrefix(id, content.CoursePrefix) {
		c, err := b.cfg.Store.Course(ctx, id)
		if err == nil && !c.StartDate.IsZero() {
			day := c.StartDate.In(bangkok).AddDate(0, 0, -1)
			due := time.Date(day.Year(), day.Month(), day.Day(), checkinAt, 0, 0, 0, bangkok)
			if due.After(now) {
				if err := b.schedule(ctx, content.Scheduled{UserID: x.userID, Kind: "reminder", Node: guidance.NodeReminder, Ref: id, DueAt: due}); err != nil {
					return guidance.ActionResult{}, err
				}
			}
		}
	}
	return guidance.ActionResult{OK: true}, nil
}

// itemVote records a 👍 or 👎 (with consent; without it the thanks is all).
func (b *Bot) itemVote(ctx context.Context, x *exchange, vote string) (guidance.ActionResult, error) {
	id := x.get("_item")
	if !strings.HasPrefix(id, content.CoursePrefix) && !strings.HasPrefix(id, content.OpeningPrefix) {
		return guidance.ActionResult{}, nil
	}
	if x.get("consent") == "accepted" {
		v := 1
		if vote == "down" {
			v = -1
		}
		if err := b.cfg.Store.RecordFeedback(ctx, x.userID, id, v, b.cfg.Now()); err != nil && !content.IsNotFound(err) {
			return guidance.ActionResult{}, fmt.Errorf("bot: feedback: %w", err)
		}
	}
	return guidance.ActionResult{OK: true}, nil
}

// savedItems shows the person's saved items still on offer.
func (b *Bot) savedItems(ctx context.Context, x *exchange) (guidance.ActionResult, []json.RawMessage, error) {
	if x.get("consent") != "accepted" {
		return guidance.ActionResult{}, nil, nil
	}
	ids, err := b.cfg.Store.SavedItems(ctx, x.userID)
	if err != nil && !content.IsNotFound(err) {
		return guidance.ActionResult{}, nil, fmt.Errorf("bot: saved items: %w", err)
	}
	var cards []render.Card
	for _, id := range ids {
		if len(cards) == render.MaxCards {
			break
		}
		card, ok, err := b.itemCard(ctx, x, id, false)
		if err != nil {
			return guidance.ActionResult{}, nil, err
		}
		if ok {
			cards = append(cards, card)
		}
	}
	if len(cards) == 0 {
		return guidance.ActionResult{}, nil, nil
	}
	msg, err := render.Carousel(guidance.Word("alt_saved", x.sess.Lang, "n", strconv.Itoa(len(cards))), cards, nil)
	if err != nil {
		return guidance.ActionResult{}, nil, err
	}
	return guidance.ActionResult{OK: true}, []json.RawMessage{msg}, nil
}

// planMatch picks the plan's catalog steps: the best course as step 1 and,
// for someone who needs income soon, the best opening as step 3.
func (b *Bot) planMatch(ctx context.Context, x *exchange) (guidance.ActionResult, error) {
	cat, occ, err := b.catalog(ctx)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	p := b.profileOf(x)
	vars := map[string]string{}
	if x.get("plan_1") == "" {
		if r := cat.Rank(p, match.Options{Now: b.cfg.Now(), Limit: 1, Kind: "course", Occupations: occ}); len(r.Results) > 0 {
			c := r.Results[0].Course
			vars["plan_1"], vars["plan_1_th"], vars["plan_1_en"] = "course:"+c.ID, c.TitleTH, firstNonEmpty(c.TitleEN, c.TitleTH)
		}
	}
	if x.get("plan_3") == "" && x.get("need") == "income" {
		if r := cat.Rank(p, match.Options{Now: b.cfg.Now(), Limit: 1, Kind: "opening", Occupations: occ}); len(r.Results) > 0 {
			o := r.Results[0].Opening
			vars["plan_3"], vars["plan_3_th"], vars["plan_3_en"] = "opening:"+o.ID, o.RoleTH+" — "+o.Employer, firstNonEmpty(o.RoleEN, o.RoleTH)+" — "+o.Employer
		}
	}
	return guidance.ActionResult{OK: true, Vars: vars}, nil
}

// reasonIn is a matching reason in lang (Thai when there is no English).
func reasonIn(r match.Reason, lang string) string {
	if lang == "en" && r.EN != "" {
		return r.EN
	}
	return r.TH
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// regionOf returns the region of a province code ("" when unknown).
func regionOf(province string) string {
	p, ok := place.ByCode(province)
	if !ok {
		return ""
	}
	return p.Region
}
