package guidance

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/content/thaitime"
)

// ItemText is how a catalog item reads on a card.
type ItemText struct {
	Badge    string
	Title    string
	Subtitle string
	Lines    []string
}

// itemWords is data/items.yaml.
type itemWords struct {
	BadgeCourse  Text            `yaml:"badge_course"`
	BadgeOpening Text            `yaml:"badge_opening"`
	BadgePair    Text            `yaml:"badge_pair"`
	BadgeGap     Text            `yaml:"badge_gap"`
	Online       Text            `yaml:"online"`
	Place        Text            `yaml:"place"`
	Dates        Text            `yaml:"dates"`
	Starts       Text            `yaml:"starts"`
	SelfPaced    Text            `yaml:"self_paced"`
	DaysTimes    Text            `yaml:"days_times"`
	Hours        Text            `yaml:"hours"`
	Free         Text            `yaml:"free"`
	Cost         Text            `yaml:"cost"`
	Allowance    Text            `yaml:"allowance"`
	Certificate  Text            `yaml:"certificate"`
	Credits      Text            `yaml:"credits"`
	CreditBank   Text            `yaml:"credit_bank"`
	TPQI         Text            `yaml:"tpqi"`
	Pay          Text            `yaml:"pay"`
	PayUnits     map[string]Text `yaml:"pay_units"`
	WeekHours    Text            `yaml:"week_hours"`
	Training     Text            `yaml:"training"`
	MinAge       Text            `yaml:"min_age"`
	Until        Text            `yaml:"until"`
	Contact      Text            `yaml:"contact"`
	Buttons      map[string]Text `yaml:"buttons"`
	AltCourses   Text            `yaml:"alt_courses"`
	AltOpenings  Text            `yaml:"alt_openings"`
	AltMixed     Text            `yaml:"alt_mixed"`
	AltPairs     Text            `yaml:"alt_pairs"`
	AltSaved     Text            `yaml:"alt_saved"`
	PairTitle    Text            `yaml:"pair_title"`
	Weekdays     map[string]Text `yaml:"weekdays"`
	FestBadge    Text            `yaml:"festival_badge"`
	FestWhen     Text            `yaml:"festival_when"`
	FestWhenOne  Text            `yaml:"festival_when_one"`
	FestTime     Text            `yaml:"festival_time"`
	FestVenue    Text            `yaml:"festival_venue"`
	FestDistance Text            `yaml:"festival_distance"`
	FestAlt      Text            `yaml:"festival_alt"`
	FestListAlt  Text            `yaml:"festival_list_alt"`
	FestButtons  map[string]Text `yaml:"festival_buttons"`
	MonthsTH     []string        `yaml:"months_th"`
	MonthsEN     []string        `yaml:"months_en"`
}

//go:embed data/items.yaml
var itemsFile []byte

var words = func() *itemWords {
	var w itemWords
	if err := yaml.Unmarshal(itemsFile, &w); err != nil || len(w.MonthsTH) != 12 || len(w.MonthsEN) != 12 {
		panic(fmt.Sprintf("guidance: data/items.yaml: %v", err))
	}
	return &w
}()

// Word returns one of the card words of data/items.yaml ("buttons.save",
// "alt_courses", "badge_pair" ...) in lang, with {key} filled from vars.
func Word(key, lang string, vars ...string) string {
	var t Text
	switch {
	case strings.HasPrefix(key, "buttons."):
		t = words.Buttons[strings.TrimPrefix(key, "buttons.")]
	case strings.HasPrefix(key, "festival_buttons."):
		t = words.FestButtons[strings.TrimPrefix(key, "festival_buttons.")]
	default:
		t = map[string]Text{
			"alt_courses": words.AltCourses, "alt_openings": words.AltOpenings, "alt_mixed": words.AltMixed,
			"alt_pairs": words.AltPairs, "alt_saved": words.AltSaved, "pair_title": words.PairTitle,
			"badge_pair": words.BadgePair, "badge_gap": words.BadgeGap, "badge_course": words.BadgeCourse, "badge_opening": words.BadgeOpening,
			"festival_list_alt": words.FestListAlt,
		}[key]
	}
	return sub(t.In(lang), vars...)
}

// sub fills {key} placeholders from key, value pairs.
func sub(s string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.TrimSpace(s)
}

// ThaiDate writes a date the Thai way with the Buddhist-era year
// ("ส. 22 ส.ค. 2569"), or in English ("Sat 22 Aug 2026").
func ThaiDate(t time.Time, lang string) string {
	t = t.In(thaitime.Zone)
	wd := [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[t.Weekday()]
	if lang == "en" {
		return fmt.Sprintf("%s %d %s %d", words.Weekdays[wd].EN, t.Day(), words.MonthsEN[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%s %d %s %d", words.Weekdays[wd].TH, t.Day(), words.MonthsTH[t.Month()-1], t.Year()+543)
}

func baht(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func days(ds []string, lang string) string {
	var out []string
	for _, d := range ds {
		out = append(out, words.Weekdays[d].In(lang))
	}
	return strings.Join(out, " ")
}

func where(province, district, lang string) string {
	p, ok := place.ByCode(province)
	if !ok {
		return ""
	}
	name := p.TH
	if lang == "en" {
		name = p.EN
	}
	return sub(words.Place.In(lang), "district", district, "province", name)
}

// DescribeCourse is how a course reads on a card (detail adds more lines).
func DescribeCourse(c content.Course, lang string, detail bool) ItemText {
	it := ItemText{Badge: words.BadgeCourse.In(lang), Title: pick(lang, c.TitleTH, c.TitleEN), Subtitle: c.Provider}
	add := func(s string) {
		if s != "" {
			it.Lines = append(it.Lines, s)
		}
	}
	if c.Mode == "online" {
		add(words.Online.In(lang))
	} else {
		add(where(c.Province, c.District, lang))
	}
	switch {
	case c.StartDate.IsZero():
		add(words.SelfPaced.In(lang))
	case detail && !c.EndDate.IsZero():
		add(sub(words.Dates.In(lang), "start", ThaiDate(c.StartDate, lang), "end", ThaiDate(c.EndDate, lang)))
	default:
		add(sub(words.Starts.In(lang), "start", ThaiDate(c.StartDate, lang)))
	}
	if len(c.Days) > 0 && c.StartTime != "" {
		add(sub(words.DaysTimes.In(lang), "days", days(c.Days, lang), "from", c.StartTime, "to", c.EndTime))
	}
	if detail && c.Hours > 0 {
		add(sub(words.Hours.In(lang), "hours", strconv.Itoa(c.Hours)))
	}
	if c.CostBaht == 0 {
		add(words.Free.In(lang))
	} else {
		add(sub(words.Cost.In(lang), "baht", baht(c.CostBaht)))
	}
	if c.Allowance > 0 {
		add(sub(words.Allowance.In(lang), "baht", baht(c.Allowance)))
	}
	for _, e := range c.Earns {
		switch {
		case e == "certificate":
			add(words.Certificate.In(lang))
		case e == "credit_bank" && c.Credits > 0:
			add(sub(words.Credits.In(lang), "credits", strconv.Itoa(c.Credits)))
		case e == "credit_bank":
			add(words.CreditBank.In(lang))
		case strings.HasPrefix(e, "tpqi_level_"):
			add(sub(words.TPQI.In(lang), "level", strings.TrimPrefix(e, "tpqi_level_")))
		}
	}
	if detail {
		if c.MinAge > 0 {
			add(sub(words.MinAge.In(lang), "age", strconv.Itoa(c.MinAge)))
		}
		if d := pick(lang, c.DescTH, c.DescEN); d != "" {
			add(d)
		}
		if c.Contact != "" {
			add(sub(words.Contact.In(lang), "contact", c.Contact))
		}
	}
	return it
}

// DescribeOpening is how a work-study opening reads on a card.
func DescribeOpening(o content.Opening, lang string, detail bool) ItemText {
	it := ItemText{Badge: words.BadgeOpening.In(lang), Title: pick(lang, o.RoleTH, o.RoleEN), Subtitle: o.Employer}
	add := func(s string) {
		if s != "" {
			it.Lines = append(it.Lines, s)
		}
	}
	add(where(o.Province, o.District, lang))
	add(sub(words.Pay.In(lang), "baht", baht(o.PayBaht), "unit", words.PayUnits[o.PayUnit].In(lang)))
	if len(o.Days) > 0 && o.StartTime != "" {
		add(sub(words.DaysTimes.In(lang), "days", days(o.Days, lang), "from", o.StartTime, "to", o.EndTime))
	}
	if o.HoursWeek > 0 {
		add(sub(words.WeekHours.In(lang), "hours", strconv.Itoa(o.HoursWeek)))
	}
	if o.Training {
		add(words.Training.In(lang))
	}
	if o.MinAge > 15 || detail {
		add(sub(words.MinAge.In(lang), "age", strconv.Itoa(o.MinAge)))
	}
	if detail {
		if !o.ValidUntil.IsZero() {
			add(sub(words.Until.In(lang), "date", ThaiDate(o.ValidUntil.Add(-time.Second), lang)))
		}
		if d := pick(lang, o.DescTH, o.DescEN); d != "" {
			add(d)
		}
		if o.Requirements != "" {
			add(o.Requirements)
		}
		if o.Contact != "" {
			add(sub(words.Contact.In(lang), "contact", o.Contact))
		}
	}
	return it
}

func pick(lang, th, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return th
}

// FestivalText is how a festival reads on its announcement bubble.
type FestivalText struct {
	ItemText
	AltText string // what the chat list shows
}

// DescribeFestival is how a festival reads: Thai dates with the Buddhist-era
// year, times, venue, a short description, and the distance when known (km
// < 0: unknown).
func DescribeFestival(f content.Festival, lang string, km float64) FestivalText {
	it := ItemText{Badge: words.FestBadge.In(lang), Title: pick(lang, f.TitleTH, f.TitleEN)}
	start, end := f.StartsAt.In(thaitime.Zone), f.EndsAt.In(thaitime.Zone)
	when := ThaiDate(start, lang)
	if start.Format("2006-01-02") != end.Format("2006-01-02") {
		when = sub(words.FestWhen.In(lang), "start", ThaiDate(start, lang), "end", ThaiDate(end, lang))
		it.Lines = append(it.Lines, when)
	} else {
		it.Lines = append(it.Lines, sub(words.FestWhenOne.In(lang), "start", when))
	}
	it.Lines = append(it.Lines, sub(words.FestTime.In(lang), "from", start.Format("15:04"), "to", end.Format("15:04")))
	venue := f.Venue
	if venue == "" {
		venue = f.Address
	}
	if venue != "" {
		it.Lines = append(it.Lines, sub(words.FestVenue.In(lang), "venue", venue))
	}
	if km >= 0 {
		it.Lines = append(it.Lines, sub(words.FestDistance.In(lang), "km", strconv.Itoa(int(km+0.5))))
	}
	if d := pick(lang, f.DescTH, f.DescEN); d != "" {
		it.Lines = append(it.Lines, clipRunes(d, 160))
	}
	alt := sub(words.FestAlt.In(lang), "title", it.Title, "when", when, "venue", venue)
	return FestivalText{ItemText: it, AltText: clipRunes(alt, 300)}
}
