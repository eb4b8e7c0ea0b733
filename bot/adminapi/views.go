package adminapi

import (
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/content/thaitime"
)

// rfc writes a time in RFC 3339, +07:00.
func rfc(t time.Time) string { return t.In(thaitime.Zone).Format(time.RFC3339) }

// rfcOrNil is rfc, or null for the zero time.
func rfcOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := rfc(t)
	return &s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type provinceView struct {
	Code   string `json:"code"`
	NameTH string `json:"name_th"`
	NameEN string `json:"name_en"`
}

type tokenView struct {
	ID    string `json:"id"`
	Role  string `json:"role"`
	Label string `json:"label"`
}

type cityView struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Provinces        []provinceView `json:"provinces"`
	Districts        []string       `json:"districts"`
	RequiresApproval bool           `json:"requires_approval"`
	Token            tokenView      `json:"token"`
}

func cityViewOf(c caller) cityView {
	v := cityView{
		ID: c.City.ID, Name: c.City.Name, Districts: orEmpty(c.City.Districts),
		RequiresApproval: c.City.RequiresApproval,
		Token:            tokenView{ID: c.Token.ID, Role: c.Token.Role, Label: c.Token.Label},
		Provinces:        make([]provinceView, 0, len(c.City.Provinces)),
	}
	for _, code := range c.City.Provinces {
		pv := provinceView{Code: code}
		if p, ok := place.ByCode(code); ok {
			pv.NameTH, pv.NameEN = p.TH, p.EN
		}
		v.Provinces = append(v.Provinces, pv)
	}
	return v
}

type festivalView struct {
	ID             string   `json:"id"`
	TitleTH        string   `json:"title_th"`
	TitleEN        string   `json:"title_en"`
	DescriptionTH  string   `json:"description_th"`
	DescriptionEN  string   `json:"description_en"`
	StartsAt       *string  `json:"starts_at"`
	EndsAt         *string  `json:"ends_at"`
	Venue          string   `json:"venue"`
	Address        string   `json:"address"`
	Province       string   `json:"province"`
	ProvinceNameTH string   `json:"province_name_th"`
	District       string   `json:"district"`
	Lat            *float64 `json:"lat"`
	Lng            *float64 `json:"lng"`
	Activities     []string `json:"activities"`
	ImageURL       string   `json:"image_url"`
	InfoURL        string   `json:"info_url"`
	Tags           []string `json:"tags"`
	Status         string   `json:"status"`
	CreatedAt      *string  `json:"created_at"`
	UpdatedAt      *string  `json:"updated_at"`
}

func festivalViewOf(f content.Festival) festivalView {
	v := festivalView{
		ID: f.ID, TitleTH: f.TitleTH, TitleEN: f.TitleEN, DescriptionTH: f.DescTH, DescriptionEN: f.DescEN,
		StartsAt: rfcOrNil(f.StartsAt), EndsAt: rfcOrNil(f.EndsAt),
		Venue: f.Venue, Address: f.Address, Province: f.Province, District: f.District,
		Activities: orEmpty(f.Activities), ImageURL: f.ImageURL, InfoURL: f.InfoURL,
		Tags: orEmpty(f.Tags), Status: f.Status,
		CreatedAt: rfcOrNil(f.CreatedAt), UpdatedAt: rfcOrNil(f.UpdatedAt),
	}
	if p, ok := place.ByCode(f.Province); ok {
		v.ProvinceNameTH = p.TH
	}
	if f.Lat != 0 || f.Lng != 0 {
		lat, lng := f.Lat, f.Lng
		v.Lat, v.Lng = &lat, &lng
	}
	return v
}

type audienceView struct {
	Provinces []string `json:"provinces"`
	Districts []string `json:"districts"`
	AgeMin    *int     `json:"age_min"`
	AgeMax    *int     `json:"age_max"`
	Roles     []string `json:"roles"`
	Interests []string `json:"interests"`
}

type announcementView struct {
	ID          string       `json:"id"`
	FestivalID  string       `json:"festival_id"`
	Audience    audienceView `json:"audience"`
	Status      string       `json:"status"`
	ScheduledAt *string      `json:"scheduled_at"`
	CreatedBy   string       `json:"created_by"`
	ApprovedBy  string       `json:"approved_by"`
	CreatedAt   *string      `json:"created_at"`
	UpdatedAt   *string      `json:"updated_at"`
}

func intOrNil(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func announcementViewOf(a content.Announcement) announcementView {
	return announcementView{
		ID: a.ID, FestivalID: a.FestivalID, Status: a.Status,
		Audience: audienceView{
			Provinces: orEmpty(a.Audience.Provinces), Districts: orEmpty(a.Audience.Districts),
			AgeMin: intOrNil(a.Audience.AgeMin), AgeMax: intOrNil(a.Audience.AgeMax),
			Roles: orEmpty(a.Audience.Roles), Interests: orEmpty(a.Audience.Interests),
		},
		ScheduledAt: rfcOrNil(a.ScheduledAt), CreatedBy: a.CreatedBy, ApprovedBy: a.ApprovedBy,
		CreatedAt: rfcOrNil(a.CreatedAt), UpdatedAt: rfcOrNil(a.UpdatedAt),
	}
}

type statsView struct {
	AnnouncementID  string `json:"announcement_id"`
	Status          string `json:"status"`
	Targeted        int    `json:"targeted"`
	Sent            int    `json:"sent"`
	Failed          int    `json:"failed"`
	Pending         int    `json:"pending"`
	SkippedBlocked  int    `json:"skipped_blocked"`
	SkippedOptedOut int    `json:"skipped_opted_out"`
	SkippedCapped   int    `json:"skipped_capped"`
	Taps            int    `json:"taps"`
}

func statsViewOf(a content.Announcement, s content.BroadcastStats) statsView {
	return statsView{
		AnnouncementID: a.ID, Status: a.Status,
		Targeted: s.Targeted, Sent: s.Sent, Failed: s.Failed, Pending: s.Pending,
		SkippedBlocked: s.SkippedBlocked, SkippedOptedOut: s.SkippedOptedOut,
		SkippedCapped: s.SkippedCapped, Taps: s.Taps,
	}
}
