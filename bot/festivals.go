package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/guidance"
)

// festivalNearKm is how far a festival may be from a person to be "near".
const festivalNearKm = 80

// festivalRef names a festival in a button: "f:<city>:<festival>:<announcement>"
// (the announcement is empty when the card did not come from one).
func festivalRef(f content.Festival, announcementID string) string {
	return "f:" + f.CityID + ":" + f.ID + ":" + announcementID
}

func parseFestivalRef(ref string) (cityID, festivalID, announcementID string, ok bool) {
	parts := strings.Split(ref, ":")
	if len(parts) != 4 || parts[0] != "f" || parts[1] == "" || parts[2] == "" {
		return "", "", "", false
	}
	return parts[1], parts[2], parts[3], true
}

// festivalCard is a festival as a card: image, Thai dates, venue, and the
// buttons รายละเอียด (its page), เตือนฉัน, ไม่สนใจเรื่องแบบนี้.
func festivalCard(f content.Festival, announcementID, lang string, km float64) (render.Card, string) {
	ft := guidance.DescribeFestival(f, lang, km)
	c := render.Card{Badge: ft.Badge, Title: ft.Title, Lines: ft.Lines, Image: f.ImageURL}
	if strings.HasPrefix(f.InfoURL, "https://") {
		c.Buttons = append(c.Buttons, render.Button{Label: guidance.Word("festival_buttons.detail", lang), URI: f.InfoURL, Primary: true})
	}
	ref := festivalRef(f, announcementID)
	for _, b := range []struct{ node, word string }{{guidance.NodeFestivalRemind, "remind"}, {guidance.NodeFestivalOptOut, "optout"}} {
		label := guidance.Word("festival_buttons."+b.word, lang)
		c.Buttons = append(c.Buttons, render.Button{Label: label, Display: label, Data: url.Values{"g": {b.node}, "i": {ref}}.Encode()})
	}
	return c, ft.AltText
}

// AnnouncementMessages renders what an announcement sends: one Flex bubble in
// Thai. The delivery engine multicasts it; the admin API previews it.
func (b *Bot) AnnouncementMessages(ctx context.Context, a content.Announcement) ([]json.RawMessage, error) {
	f, err := b.cfg.Store.Festival(ctx, a.CityID, a.FestivalID)
	if err != nil {
		return nil, fmt.Errorf("bot: announcement's festival: %w", err)
	}
	card, alt := festivalCard(f, a.ID, "th", -1)
	msg, err := render.Bubble(alt, card)
	if err != nil {
		return nil, err
	}
	return []json.RawMessage{msg}, nil
}

// festivalsNear lists upcoming festivals near the person (this weekend only
// when asked), nearest first.
func (b *Bot) festivalsNear(ctx context.Context, x *exchange) (guidance.ActionResult, []json.RawMessage, error) {
	now := b.cfg.Now()
	province := x.get("province")
	lat, lng, ok := personPoint(x.get("location"), province)
	if !ok {
		return guidance.ActionResult{}, nil, nil
	}
	fests, err := b.cfg.Store.UpcomingFestivals(ctx, now, 500)
	if err != nil {
		return guidance.ActionResult{}, nil, fmt.Errorf("bot: festivals: %w", err)
	}
	satStart, sunEnd := weekend(now)
	type near struct {
		f  content.Festival
		km float64
	}
	var list []near
	for _, f := range fests {
		flat, flng := f.Lat, f.Lng
		if flat == 0 && flng == 0 {
			if p, ok := place.ByCode(f.Province); ok {
				flat, flng = p.Lat, p.Lng
			}
		}
		km := place.DistanceKm(lat, lng, flat, flng)
		if f.Province != province && km > festivalNearKm {
			continue
		}
		if x.get("_weekend") == "1" && (f.EndsAt.Before(satStart) || f.StartsAt.After(sunEnd)) {
			continue
		}
		list = append(list, near{f, km})
	}
	if len(list) == 0 {
		return guidance.ActionResult{}, nil, nil
	}
	slices.SortStableFunc(list, func(a, b near) int {
		return cmp.Or(cmp.Compare(a.km, b.km), a.f.StartsAt.Compare(b.f.StartsAt))
	})
	var cards []render.Card
	for _, n := range list[:min(len(list), render.MaxCards)] {
		c, _ := festivalCard(n.f, "", x.sess.Lang, n.km)
		cards = append(cards, c)
	}
	msg, err := render.Carousel(guidance.Word("festival_list_alt", x.sess.Lang, "n", strconv.Itoa(len(cards))), cards, nil)
	if err != nil {
		return guidance.ActionResult{}, nil, err
	}
	return guidance.ActionResult{OK: true}, []json.RawMessage{msg}, nil
}

// personPoint is where the person is: a shared location, else their
// province's seat.
func personPoint(location, province string) (float64, float64, bool) {
	if lat, lng, ok := strings.Cut(location, ","); ok {
		a, err1 := strconv.ParseFloat(lat, 64)
		b, err2 := strconv.ParseFloat(lng, 64)
		if err1 == nil && err2 == nil {
			return a, b, true
		}
	}
	if p, ok := place.ByCode(province); ok {
		return p.Lat, p.Lng, true
	}
	return 0, 0, false
}

// weekend returns the coming (or current) Saturday 00:00 and Sunday 24:00 in
// Thailand.
func weekend(now time.Time) (time.Time, time.Time) {
	l := now.In(bangkok)
	days := (int(time.Saturday) - int(l.Weekday()) + 7) % 7
	if l.Weekday() == time.Sunday {
		days = -1
	}
	sat := time.Date(l.Year(), l.Month(), l.Day()+days, 0, 0, 0, 0, bangkok)
	return sat, sat.AddDate(0, 0, 2)
}

// festivalFromRef loads the festival a button or reminder is about; ok is
// false when it is gone, cancelled or over.
func (b *Bot) festivalFromRef(ctx context.Context, ref string) (content.Festival, string, bool, error) {
	cityID, festID, annID, ok := parseFestivalRef(ref)
	if !ok {
		return content.Festival{}, "", false, nil
	}
	f, err := b.cfg.Store.Festival(ctx, cityID, festID)
	if content.IsNotFound(err) {
		return content.Festival{}, "", false, nil
	}
	if err != nil {
		return content.Festival{}, "", false, err
	}
	if f.Status == "cancelled" || f.EndsAt.Before(b.cfg.Now()) {
		return content.Festival{}, "", false, nil
	}
	return f, annID, true, nil
}

// festivalRemind schedules a reminder at 10:00 the day before the festival
// and counts the tap.
func (b *Bot) festivalRemind(ctx context.Context, x *exchange) (guidance.ActionResult, error) {
	ref := x.get("_item")
	f, annID, ok, err := b.festivalFromRef(ctx, ref)
	if err != nil || !ok {
		return guidance.ActionResult{}, err
	}
	now := b.cfg.Now()
	day := f.StartsAt.In(bangkok).AddDate(0, 0, -1)
	due := time.Date(day.Year(), day.Month(), day.Day(), checkinAt, 0, 0, 0, bangkok)
	if due.After(now) {
		if err := b.schedule(ctx, content.Scheduled{UserID: x.userID, Kind: "festival", Node: guidance.NodeFestivalReminder, Ref: ref, DueAt: due}); err != nil {
			return guidance.ActionResult{}, err
		}
	}
	b.tap(ctx, annID, x.userID, "remind")
	return guidance.ActionResult{OK: true}, nil
}

func (b *Bot) tap(ctx context.Context, announcementID, userID, button string) {
	if announcementID == "" {
		return
	}
	if err := b.cfg.Store.RecordTap(ctx, announcementID, userID, button, b.cfg.Now()); err != nil && !content.IsNotFound(err) {
		b.cfg.Log.Warn("bot: cannot record a tap", "err", err)
	}
}

func (b *Bot) festivalDetail(ctx context.Context, x *exchange) (guidance.ActionResult, []json.RawMessage, error) {
	f, annID, ok, err := b.festivalFromRef(ctx, x.get("_item"))
	if err != nil || !ok {
		return guidance.ActionResult{}, nil, err
	}
	card, alt := festivalCard(f, annID, x.sess.Lang, -1)
	msg, err := render.Bubble(alt, card)
	if err != nil {
		return guidance.ActionResult{}, nil, err
	}
	return guidance.ActionResult{OK: true}, []json.RawMessage{msg}, nil
}
