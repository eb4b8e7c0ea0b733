package adminapi

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
)

// Festival statuses.
const (
	festivalActive    = "active"
	festivalCancelled = "cancelled"
)

// festivalInput is the body of POST /festivals and PATCH /festivals/{id}:
// absent (or null) fields are left as they are.
type festivalInput struct {
	TitleTH       *string   `json:"title_th"`
	TitleEN       *string   `json:"title_en"`
	DescriptionTH *string   `json:"description_th"`
	DescriptionEN *string   `json:"description_en"`
	StartsAt      *string   `json:"starts_at"`
	EndsAt        *string   `json:"ends_at"`
	Venue         *string   `json:"venue"`
	Address       *string   `json:"address"`
	Province      *string   `json:"province"`
	District      *string   `json:"district"`
	Lat           *float64  `json:"lat"`
	Lng           *float64  `json:"lng"`
	Activities    *[]string `json:"activities"`
	ImageURL      *string   `json:"image_url"`
	InfoURL       *string   `json:"info_url"`
	Tags          *[]string `json:"tags"`
}

// apply copies the fields present in the input onto f, normalizing them
// (trimmed text, province codes, times) and recording what cannot be read.
func (in festivalInput) apply(f *content.Festival, fe fieldErrors) {
	text := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	text(&f.TitleTH, in.TitleTH)
	text(&f.TitleEN, in.TitleEN)
	text(&f.DescTH, in.DescriptionTH)
	text(&f.DescEN, in.DescriptionEN)
	text(&f.Venue, in.Venue)
	text(&f.Address, in.Address)
	text(&f.District, in.District)
	text(&f.ImageURL, in.ImageURL)
	text(&f.InfoURL, in.InfoURL)
	readTime := func(field string, dst *time.Time, src *string) {
		if src == nil {
			return
		}
		t, ok := parseTime(*src)
		if !ok {
			fe.add(field, timeHint)
			return
		}
		*dst = t
	}
	readTime("starts_at", &f.StartsAt, in.StartsAt)
	readTime("ends_at", &f.EndsAt, in.EndsAt)
	if in.Province != nil {
		if strings.TrimSpace(*in.Province) == "" {
			f.Province = ""
		} else if code, ok := provinceCode(*in.Province); ok {
			f.Province = code
		} else {
			fe.add("province", "unknown province: give an ISO code such as TH-40 or the province's name")
		}
	}
	if in.Lat != nil {
		f.Lat = *in.Lat
	}
	if in.Lng != nil {
		f.Lng = *in.Lng
	}
	if in.Activities != nil {
		f.Activities = cleanList(*in.Activities)
	}
	if in.Tags != nil {
		f.Tags = cleanList(*in.Tags)
	}
}

// validateFestival checks a festival as it would be stored.
func validateFestival(f content.Festival, city content.City, fe fieldErrors) {
	if f.TitleTH == "" {
		fe.add("title_th", "required")
	}
	checkLen(fe, "title_th", f.TitleTH, maxTitle)
	checkLen(fe, "title_en", f.TitleEN, maxTitle)
	checkLen(fe, "description_th", f.DescTH, maxDesc)
	checkLen(fe, "description_en", f.DescEN, maxDesc)
	checkLen(fe, "venue", f.Venue, maxVenue)
	checkLen(fe, "address", f.Address, maxAddress)
	checkLen(fe, "district", f.District, maxDistrict)

	if f.StartsAt.IsZero() {
		fe.add("starts_at", "required")
	}
	if f.EndsAt.IsZero() {
		fe.add("ends_at", "required")
	}
	if !f.StartsAt.IsZero() && !f.EndsAt.IsZero() && !f.StartsAt.Before(f.EndsAt) {
		fe.add("starts_at", "must be before ends_at")
	}

	switch {
	case f.Province == "":
		if _, bad := fe["province"]; !bad {
			fe.add("province", "required")
		}
	case !slices.Contains(city.Provinces, f.Province):
		fe.add("province", "%s is outside the city's area", provinceLabel(f.Province))
	case !city.Covers(f.Province, f.District):
		if f.District == "" {
			fe.add("district", "required: the city covers only some districts of %s", provinceLabel(f.Province))
		} else {
			fe.add("district", "%s is outside the city's area", f.District)
		}
	}

	if f.Lat != 0 || f.Lng != 0 {
		if f.Lat < minLat || f.Lat > maxLat {
			fe.add("lat", "must be within Thailand (%.1f to %.1f)", minLat, maxLat)
		}
		if f.Lng < minLng || f.Lng > maxLng {
			fe.add("lng", "must be within Thailand (%.1f to %.1f)", minLng, maxLng)
		}
	}

	if len(f.Activities) > maxActivities {
		fe.add("activities", "at most %d activities", maxActivities)
	}
	for i, a := range f.Activities {
		checkLen(fe, fmt.Sprintf("activities[%d]", i), a, maxActivity)
	}
	if len(f.Tags) > maxTags {
		fe.add("tags", "at most %d tags", maxTags)
	}
	for i, t := range f.Tags {
		checkLen(fe, fmt.Sprintf("tags[%d]", i), t, maxTag)
	}
	if f.ImageURL != "" {
		if p := checkURL(f.ImageURL); p != "" {
			fe.add("image_url", "%s", p)
		}
	}
	if f.InfoURL != "" {
		if p := checkURL(f.InfoURL); p != "" {
			fe.add("info_url", "%s", p)
		}
	}
}

// pathID is the {id} of the path; an ID that is no UUID names nothing.
func pathID(r *http.Request) (string, error) {
	id := chi.URLParam(r, "id")
	u, err := uuid.Parse(id)
	if err != nil {
		return "", content.Errorf(content.ENOTFOUND, "not found")
	}
	return u.String(), nil
}

// festival loads the caller's festival named in the path.
func (h *handler) festival(r *http.Request) (content.Festival, error) {
	id, err := pathID(r)
	if err != nil {
		return content.Festival{}, content.Errorf(content.ENOTFOUND, "festival not found")
	}
	f, err := h.store.Festival(r.Context(), callerOf(r.Context()).City.ID, id)
	if content.IsNotFound(err) {
		return content.Festival{}, content.Errorf(content.ENOTFOUND, "festival not found")
	}
	return f, err
}

func (h *handler) createFestival(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	var in festivalInput
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	now := h.now()
	f := content.Festival{
		ID: uuid.NewString(), CityID: c.City.ID, Status: festivalActive,
		CreatedAt: now, UpdatedAt: now,
	}
	fe := fieldErrors{}
	in.apply(&f, fe)
	validateFestival(f, c.City, fe)
	if err := fe.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.store.SaveFestival(r.Context(), f); err != nil {
		h.writeError(w, r, err)
		return
	}
	if saved, err := h.store.Festival(r.Context(), c.City.ID, f.ID); err == nil {
		f = saved
	}
	h.audit(r.Context(), c, "festival.create", f.ID, f.TitleTH)
	w.Header().Set("Location", "festivals/"+f.ID)
	writeJSON(w, http.StatusCreated, festivalViewOf(f))
}

func (h *handler) listFestivals(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	fs, err := h.store.Festivals(r.Context(), c.City.ID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	out := make([]festivalView, 0, len(fs))
	slices.SortFunc(fs, func(a, b content.Festival) int {
		return cmp.Or(a.StartsAt.Compare(b.StartsAt), cmp.Compare(a.ID, b.ID))
	})
	for _, f := range fs {
		if f.CityID != c.City.ID || (status != "" && f.Status != status) {
			continue
		}
		out = append(out, festivalViewOf(f))
	}
	writeJSON(w, http.StatusOK, map[string]any{"festivals": out})
}

func (h *handler) getFestival(w http.ResponseWriter, r *http.Request) {
	f, err := h.festival(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, festivalViewOf(f))
}

func (h *handler) updateFestival(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	var in festivalInput
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := h.festival(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if f.Status == festivalCancelled {
		h.writeError(w, r, content.Errorf(content.ECONFLICT, "the festival is cancelled"))
		return
	}
	fe := fieldErrors{}
	in.apply(&f, fe)
	validateFestival(f, c.City, fe)
	if err := fe.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	f.UpdatedAt = h.now()
	if err := h.store.SaveFestival(r.Context(), f); err != nil {
		h.writeError(w, r, err)
		return
	}
	if saved, err := h.store.Festival(r.Context(), c.City.ID, f.ID); err == nil {
		f = saved
	}
	h.audit(r.Context(), c, "festival.update", f.ID, "fields: "+strings.Join(in.present(), ","))
	writeJSON(w, http.StatusOK, festivalViewOf(f))
}

// present names the fields the input sets, for the audit log.
func (in festivalInput) present() []string {
	var out []string
	for _, p := range []struct {
		name string
		set  bool
	}{
		{"title_th", in.TitleTH != nil}, {"title_en", in.TitleEN != nil},
		{"description_th", in.DescriptionTH != nil}, {"description_en", in.DescriptionEN != nil},
		{"starts_at", in.StartsAt != nil}, {"ends_at", in.EndsAt != nil},
		{"venue", in.Venue != nil}, {"address", in.Address != nil},
		{"province", in.Province != nil}, {"district", in.District != nil},
		{"lat", in.Lat != nil}, {"lng", in.Lng != nil}, {"activities", in.Activities != nil},
		{"image_url", in.ImageURL != nil}, {"info_url", in.InfoURL != nil}, {"tags", in.Tags != nil},
	} {
		if p.set {
			out = append(out, p.name)
		}
	}
	return out
}

// cancelFestival cancels a festival and every announcement of it not yet
// being sent.
func (h *handler) cancelFestival(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	ctx := r.Context()
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := h.festival(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if f.Status == festivalCancelled {
		h.writeError(w, r, content.Errorf(content.ECONFLICT, "the festival is already cancelled"))
		return
	}
	anns, err := h.store.Announcements(ctx, c.City.ID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	now := h.now()
	f.Status, f.UpdatedAt = festivalCancelled, now
	if err := h.store.SaveFestival(ctx, f); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.audit(ctx, c, "festival.cancel", f.ID, f.TitleTH)
	cancelled := []string{}
	for _, a := range anns {
		if a.FestivalID != f.ID || !cancellable(a.Status) {
			continue
		}
		a.Status, a.UpdatedAt = content.AnnCancelled, now
		if err := h.store.SaveAnnouncement(ctx, a); err != nil {
			h.writeError(w, r, err)
			return
		}
		h.audit(ctx, c, "announcement.cancel", a.ID, "festival cancelled")
		cancelled = append(cancelled, a.ID)
	}
	if saved, err := h.store.Festival(ctx, c.City.ID, f.ID); err == nil {
		f = saved
	}
	writeJSON(w, http.StatusOK, struct {
		festivalView
		CancelledAnnouncements []string `json:"cancelled_announcements"`
	}{festivalViewOf(f), cancelled})
}
