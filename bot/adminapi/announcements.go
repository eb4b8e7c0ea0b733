package adminapi

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
)

// announcementInput is the body of POST /announcements.
type announcementInput struct {
	FestivalID string         `json:"festival_id"`
	Audience   *audienceInput `json:"audience"`
}

type audienceInput struct {
	Provinces []string `json:"provinces"`
	Districts []string `json:"districts"`
	AgeMin    *int     `json:"age_min"`
	AgeMax    *int     `json:"age_max"`
	Roles     []string `json:"roles"`
	Interests []string `json:"interests"`
}

// audience validates an audience against the city's area and fills in the
// area it leaves open: no provinces means every province of the city (or the
// provinces of the districts given); no districts in a city limited to some
// districts means those districts.
func audience(in *audienceInput, city content.City, fe fieldErrors) content.Audience {
	if in == nil {
		in = &audienceInput{}
	}
	var a content.Audience

	for _, s := range cleanList(in.Provinces) {
		code, ok := provinceCode(s)
		switch {
		case !ok:
			fe.add("audience.provinces", "unknown province %q", s)
		case !slices.Contains(city.Provinces, code):
			fe.add("audience.provinces", "%s is outside the city's area", provinceLabel(code))
		case !slices.Contains(a.Provinces, code):
			a.Provinces = append(a.Provinces, code)
		}
	}
	explicit := len(a.Provinces) > 0

	for _, s := range cleanList(in.Districts) {
		prov, dist, ok := splitDistrict(s)
		key := prov + "/" + dist
		switch {
		case !ok:
			fe.add("audience.districts", "%q must be a province code and a district, such as TH-40/เมืองขอนแก่น", s)
		case !city.Covers(prov, dist):
			fe.add("audience.districts", "%s is outside the city's area", s)
		case explicit && !slices.Contains(a.Provinces, prov):
			fe.add("audience.districts", "%s is not in one of audience.provinces", s)
		case !slices.Contains(a.Districts, key):
			a.Districts = append(a.Districts, key)
			if !explicit && !slices.Contains(a.Provinces, prov) {
				a.Provinces = append(a.Provinces, prov)
			}
		}
	}
	if len(a.Provinces) == 0 {
		a.Provinces = slices.Clone(city.Provinces)
	}
	if len(a.Districts) == 0 && len(city.Districts) > 0 {
		for _, d := range city.Districts {
			prov, _, _ := strings.Cut(d, "/")
			if slices.Contains(a.Provinces, prov) {
				a.Districts = append(a.Districts, d)
			}
		}
	}

	age := func(field string, v *int) int {
		if v == nil {
			return 0
		}
		if *v < minAge || *v > maxAge {
			fe.add(field, "must be between %d and %d", minAge, maxAge)
			return 0
		}
		return *v
	}
	a.AgeMin = age("audience.age_min", in.AgeMin)
	a.AgeMax = age("audience.age_max", in.AgeMax)
	if a.AgeMin != 0 && a.AgeMax != 0 && a.AgeMin > a.AgeMax {
		fe.add("audience.age_min", "must not be greater than audience.age_max")
	}

	for _, role := range cleanList(in.Roles) {
		if !slices.Contains(audienceRoles, role) {
			fe.add("audience.roles", "unknown role %q: one of %s", role, strings.Join(audienceRoles, ", "))
			continue
		}
		a.Roles = append(a.Roles, role)
	}
	fields := content.Fields()
	for _, interest := range cleanList(in.Interests) {
		if !slices.Contains(fields, interest) {
			fe.add("audience.interests", "unknown interest %q: one of %s", interest, strings.Join(fields, ", "))
			continue
		}
		a.Interests = append(a.Interests, interest)
	}
	return a
}

// announcement loads the caller's announcement named in the path.
func (h *handler) announcement(r *http.Request) (content.Announcement, error) {
	id, err := pathID(r)
	if err != nil {
		return content.Announcement{}, content.Errorf(content.ENOTFOUND, "announcement not found")
	}
	a, err := h.store.Announcement(r.Context(), callerOf(r.Context()).City.ID, id)
	if content.IsNotFound(err) {
		return content.Announcement{}, content.Errorf(content.ENOTFOUND, "announcement not found")
	}
	return a, err
}

// reload returns the stored form of an announcement just saved, or a when it
// cannot be read back.
func (h *handler) reload(r *http.Request, a content.Announcement) content.Announcement {
	if saved, err := h.store.Announcement(r.Context(), a.CityID, a.ID); err == nil {
		return saved
	}
	return a
}

// cancellable reports whether an announcement in this status may still be
// cancelled (nothing has gone out).
func cancellable(status string) bool {
	switch status {
	case content.AnnDraft, content.AnnPending, content.AnnScheduled:
		return true
	}
	return false
}

func (h *handler) createAnnouncement(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	ctx := r.Context()
	var in announcementInput
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	fe := fieldErrors{}
	aud := audience(in.Audience, c.City, fe)
	h.mu.Lock() // the festival must not be cancelled between the check and the save
	defer h.mu.Unlock()

	var f content.Festival
	festivalID, perr := uuid.Parse(strings.TrimSpace(in.FestivalID))
	switch {
	case strings.TrimSpace(in.FestivalID) == "":
		fe.add("festival_id", "required")
	case perr != nil:
		fe.add("festival_id", "no such festival")
	default:
		var err error
		f, err = h.store.Festival(ctx, c.City.ID, festivalID.String())
		switch {
		case content.IsNotFound(err):
			fe.add("festival_id", "no such festival")
		case err != nil:
			h.writeError(w, r, err)
			return
		case f.Status == festivalCancelled:
			fe.add("festival_id", "the festival is cancelled")
		case !f.EndsAt.After(h.now()):
			fe.add("festival_id", "the festival has ended")
		}
	}
	if err := fe.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	now := h.now()
	a := content.Announcement{
		ID: uuid.NewString(), CityID: c.City.ID, FestivalID: f.ID, Audience: aud,
		Status: content.AnnDraft, CreatedBy: c.Token.ID, CreatedAt: now, UpdatedAt: now,
	}
	if err := h.store.SaveAnnouncement(ctx, a); err != nil {
		h.writeError(w, r, err)
		return
	}
	a = h.reload(r, a)
	h.audit(ctx, c, "announcement.create", a.ID, "festival "+f.ID)
	w.Header().Set("Location", "announcements/"+a.ID)
	writeJSON(w, http.StatusCreated, announcementViewOf(a))
}

func (h *handler) listAnnouncements(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r.Context())
	as, err := h.store.Announcements(r.Context(), c.City.ID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	status, festival := q.Get("status"), q.Get("festival_id")
	slices.SortFunc(as, func(a, b content.Announcement) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	out := make([]announcementView, 0, len(as))
	for _, a := range as {
		if a.CityID != c.City.ID || (status != "" && a.Status != status) ||
			(festival != "" && a.FestivalID != festival) {
			continue
		}
		out = append(out, announcementViewOf(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"announcements": out})
}

func (h *handler) getAnnouncement(w http.ResponseWriter, r *http.Request) {
	a, err := h.announcement(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, announcementViewOf(a))
}

// previewAnnouncement answers the preview document: Config.Preview's counts
// with the exact LINE messages.
func (h *handler) previewAnnouncement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := callerOf(ctx)
	a, err := h.announcement(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if h.cfg.Preview == nil && h.cfg.Messages == nil {
		h.writeError(w, r, fmt.Errorf("adminapi: neither Config.Preview nor Config.Messages is set"))
		return
	}
	doc := map[string]json.RawMessage{}
	if h.cfg.Preview != nil {
		v, err := h.cfg.Preview(ctx, a)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		raw, err := json.Marshal(v)
		if err == nil {
			err = json.Unmarshal(raw, &doc)
		}
		if err != nil || doc == nil {
			h.writeError(w, r, fmt.Errorf("adminapi: the preview is not a JSON object: %v", err))
			return
		}
	}
	if _, ok := doc["messages"]; !ok && h.cfg.Messages != nil {
		f, err := h.store.Festival(ctx, c.City.ID, a.FestivalID)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		msgs, err := h.cfg.Messages(ctx, a, f)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if msgs == nil {
			msgs = []json.RawMessage{}
		}
		raw, err := json.Marshal(msgs)
		if err != nil {
			h.writeError(w, r, fmt.Errorf("adminapi: the messages are not JSON: %w", err))
			return
		}
		doc["messages"] = raw
	}
	if _, ok := doc["announcement_id"]; !ok {
		doc["announcement_id"], _ = json.Marshal(a.ID)
	}
	writeJSON(w, http.StatusOK, doc)
}

// scheduleInput is the body of POST /announcements/{id}/schedule.
type scheduleInput struct {
	At *string `json:"at"` // RFC 3339, or "now"
}

func (h *handler) scheduleAnnouncement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := callerOf(ctx)
	var in scheduleInput
	if err := decode(w, r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	now := h.now()
	var at time.Time
	switch {
	case in.At == nil || strings.TrimSpace(*in.At) == "":
		h.writeError(w, r, invalidField("at", `required: an RFC 3339 time or "now"`))
		return
	case strings.EqualFold(strings.TrimSpace(*in.At), "now"):
		at = now
	default:
		t, ok := parseTime(*in.At)
		if !ok {
			h.writeError(w, r, invalidField("at", `%s, or "now"`, timeHint))
			return
		}
		at = latest(t, now)
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	a, err := h.announcement(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !cancellable(a.Status) {
		h.writeError(w, r, content.Errorf(content.ECONFLICT, "an announcement that is %s cannot be scheduled", a.Status))
		return
	}
	f, err := h.store.Festival(ctx, c.City.ID, a.FestivalID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if f.Status == festivalCancelled {
		h.writeError(w, r, content.Errorf(content.ECONFLICT, "the festival is cancelled"))
		return
	}
	if !at.Before(f.EndsAt) {
		h.writeError(w, r, invalidField("at", "must be before the festival ends (%s)", rfc(f.EndsAt)))
		return
	}
	a.ScheduledAt, a.UpdatedAt = at, now
	if c.City.RequiresApproval && a.ApprovedBy == "" {
		a.Status = content.AnnPending
	} else {
		a.Status = content.AnnScheduled
	}
	if err := h.store.SaveAnnouncement(ctx, a); err != nil {
		h.writeError(w, r, err)
		return
	}
	a = h.reload(r, a)
	h.audit(ctx, c, "announcement.schedule", a.ID, a.Status+" at "+rfc(at))
	writeJSON(w, http.StatusOK, announcementViewOf(a))
}

func (h *handler) approveAnnouncement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := callerOf(ctx)
	if c.Token.Role != content.RoleApprover {
		h.writeError(w, r, content.Errorf(content.EFORBIDDEN, "only an approver may approve announcements"))
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	a, err := h.announcement(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if a.Status != content.AnnPending {
		h.writeError(w, r, content.Errorf(content.ECONFLICT, "only an announcement pending approval can be approved; this one is %s", a.Status))
		return
	}
	now := h.now()
	f, err := h.store.Festival(ctx, c.City.ID, a.FestivalID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	at := latest(a.ScheduledAt, now)
	switch {
	case f.Status == festivalCancelled:
		h.writeError(w, r, content.Errorf(content.ECONFLICT, "the festival is cancelled"))
		return
	case !at.Before(f.EndsAt):
		h.writeError(w, r, content.Errorf(content.ECONFLICT, "the festival ends (%s) before the announcement would be sent", rfc(f.EndsAt)))
		return
	}
	a.Status, a.ApprovedBy, a.UpdatedAt, a.ScheduledAt = content.AnnScheduled, c.Token.ID, now, at
	if err := h.store.SaveAnnouncement(ctx, a); err != nil {
		h.writeError(w, r, err)
		return
	}
	a = h.reload(r, a)
	detail := "scheduled at " + rfc(a.ScheduledAt)
	if a.CreatedBy == c.Token.ID {
		detail += " (approver's own announcement)"
	}
	h.audit(ctx, c, "announcement.approve", a.ID, detail)
	writeJSON(w, http.StatusOK, announcementViewOf(a))
}

func (h *handler) cancelAnnouncement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := callerOf(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	a, err := h.announcement(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !cancellable(a.Status) {
		h.writeError(w, r, content.Errorf(content.ECONFLICT, "an announcement that is %s cannot be cancelled", a.Status))
		return
	}
	from := a.Status
	a.Status, a.UpdatedAt = content.AnnCancelled, h.now()
	if err := h.store.SaveAnnouncement(ctx, a); err != nil {
		h.writeError(w, r, err)
		return
	}
	a = h.reload(r, a)
	h.audit(ctx, c, "announcement.cancel", a.ID, "was "+from)
	writeJSON(w, http.StatusOK, announcementViewOf(a))
}

func (h *handler) announcementStats(w http.ResponseWriter, r *http.Request) {
	a, err := h.announcement(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	s, err := h.store.Stats(r.Context(), a.ID)
	if err != nil && !content.IsNotFound(err) { // nothing sent yet: zeros
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, statsViewOf(a, s))
}

// latest is the later of two times.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
