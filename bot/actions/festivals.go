package actions

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
	"github.com/paitor/paitor/content/thaitime"
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
func (a *Actions) AnnouncementMessages(ctx context.Context, ann content.Announcement) ([]json.RawMessage, error) {
	f, err := a.cfg.Store.Festival(ctx, ann.CityID, ann.FestivalID)
	if err != nil {
		return nil, fmt.Errorf("actions: announcement's festival: %w", err)
	}
	card, alt := festivalCard(f, ann.ID, "th", -1)
	msg, err := render.Bubble(alt, card)
	if err != nil {
		return nil, err
	}
	return []json.RawMessage{msg}, nil
}

// festivalsNear lists upcoming festivals near the person (this weekend only
// when asked), nearest first.
func (a *Actions) festivalsNear(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	now := a.cfg.Now()
	province := t.Get("province")
	lat, lng, ok := personPoint(t.Get("location"), province)
	if !ok {
		return guidance.ActionResult{}, nil
	}
	fests, err := a.cfg.Store.UpcomingFestivals(ctx, now, 500)
	if err != nil {
		return guidance.ActionResult{}, fmt.Errorf("actions: festivals: %w", err)
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
		if t.Get("_weekend") == "1" && (f.EndsAt.Before(satStart) || f.StartsAt.After(sunEnd)) {
			continue
		}
		list = append(list, near{f, km})
	}
	if len(list) == 0 {
		return guidance.ActionResult{}, nil
	}
	slices.SortStableFunc(list, func(a, b near) int {
		return cmp.Or(cmp.Compare(a.km, b.km), a.f.StartsAt.Compare(b.f.StartsAt))
	})
	var cards []render.Card
	for _, n := range list[:min(len(list), render.MaxCards)] {
		c, _ := festivalCard(n.f, "", t.Lang(), n.km)
		cards = append(cards, c)
	}
	msg, err := render.Carousel(guidance.Word("festival_list_alt", t.Lang(), "n", strconv.Itoa(len(cards))), cards, nil)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	t.Show(msg)
	return guidance.ActionResult{OK: true}, nil
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
	l := now.In(thaitime.Zone)
	days := (int(time.Saturday) - int(l.Weekday()) + 7) % 7
	if l.Weekday() == time.Sunday {
		days = -1
	}
	sat := thaitime.Midnight(l.AddDate(0, 0, days))
	return sat, sat.AddDate(0, 0, 2)
}

// festivalFromRef loads the festival a button or reminder is about; ok is
// false when it is gone, cancelled or over.
func (a *Actions) festivalFromRef(ctx context.Context, ref string) (content.Festival, string, bool, error) {
	cityID, festID, annID, ok := parseFestivalRef(ref)
	if !ok {
		return content.Festival{}, "", false, nil
	}
	f, err := a.cfg.Store.Festival(ctx, cityID, festID)
	if content.IsNotFound(err) {
		return content.Festival{}, "", false, nil
	}
	if err != nil {
		return content.Festival{}, "", false, err
	}
	if f.Status == "cancelled" || f.EndsAt.Before(a.cfg.Now()) {
		return content.Festival{}, "", false, nil
	}
	return f, annID, true, nil
}

// festivalRemind schedules a reminder at 10:00 the day before the festival
// and counts the tap.
func (a *Actions) festivalRemind(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	ref := t.Get("_item")
	f, annID, ok, err := a.festivalFromRef(ctx, ref)
	if err != nil || !ok {
		return guidance.ActionResult{}, err
	}
	reminder := content.Scheduled{UserID: t.UserID, Kind: "festival", Node: guidance.NodeFestivalReminder, Ref: ref}
	if err := a.remindDayBefore(ctx, reminder, f.StartsAt); err != nil {
		return guidance.ActionResult{}, err
	}
	a.tap(ctx, annID, t.UserID, "remind")
	return guidance.ActionResult{OK: true}, nil
}

// festivalTap counts a tap on an announcement's button (args: button).
func (a *Actions) festivalTap(ctx context.Context, t *Turn, args map[string]string) (guidance.ActionResult, error) {
	if _, annID, found, _ := a.festivalFromRef(ctx, t.Get("_item")); found {
		a.tap(ctx, annID, t.UserID, args["button"])
	}
	return guidance.ActionResult{OK: true}, nil
}

func (a *Actions) tap(ctx context.Context, announcementID, userID, button string) {
	if announcementID == "" {
		return
	}
	if err := a.cfg.Store.RecordTap(ctx, announcementID, userID, button, a.cfg.Now()); err != nil && !content.IsNotFound(err) {
		a.cfg.Log.Warn("actions: cannot record a tap", "err", err)
	}
}

// festivalDetail shows one festival's card.
func (a *Actions) festivalDetail(ctx context.Context, t *Turn, _ map[string]string) (guidance.ActionResult, error) {
	f, annID, ok, err := a.festivalFromRef(ctx, t.Get("_item"))
	if err != nil || !ok {
		return guidance.ActionResult{}, err
	}
	card, alt := festivalCard(f, annID, t.Lang(), -1)
	msg, err := render.Bubble(alt, card)
	if err != nil {
		return guidance.ActionResult{}, err
	}
	t.Show(msg)
	return guidance.ActionResult{OK: true}, nil
}
