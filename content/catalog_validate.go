package content

import (
	"slices"
	"strings"
)

func validSource(kind, source, externalID string) error {
	switch {
	case source == "":
		return Errorf(EINVALID, "%s source is empty", kind)
	case strings.Contains(source, ":"):
		return Errorf(EINVALID, "%s source %q contains ':'", kind, source)
	case externalID == "":
		return Errorf(EINVALID, "%s %s: external ID is empty", kind, source)
	}
	return nil
}

// Validate checks what every store requires of a course (EINVALID).
func (c Course) Validate() error {
	if err := validSource("course", c.Source, c.ExternalID); err != nil {
		return err
	}
	id := CourseID(c.Source, c.ExternalID)
	switch {
	case c.ID != "" && c.ID != id:
		return Errorf(EINVALID, "course ID %q is not %q", c.ID, id)
	case strings.TrimSpace(c.TitleTH) == "":
		return Errorf(EINVALID, "course %s: Thai title is empty", id)
	case c.Mode != "onsite" && c.Mode != "online" && c.Mode != "hybrid":
		return Errorf(EINVALID, "course %s: mode %q is not onsite, online or hybrid", id, c.Mode)
	}
	return nil
}

// Validate checks what every store requires of an opening (EINVALID).
func (o Opening) Validate() error {
	if err := validSource("opening", o.Source, o.ExternalID); err != nil {
		return err
	}
	id := OpeningID(o.Source, o.ExternalID)
	switch {
	case o.ID != "" && o.ID != id:
		return Errorf(EINVALID, "opening ID %q is not %q", o.ID, id)
	case strings.TrimSpace(o.Employer) == "":
		return Errorf(EINVALID, "opening %s: employer is empty", id)
	case strings.TrimSpace(o.RoleTH) == "":
		return Errorf(EINVALID, "opening %s: Thai role is empty", id)
	case !slices.Contains([]string{"school_break", "part_time", "apprenticeship", "dual_vocational"}, o.Kind):
		return Errorf(EINVALID, "opening %s: kind %q is not school_break, part_time, apprenticeship or dual_vocational", id, o.Kind)
	case o.PayUnit != "hour" && o.PayUnit != "day" && o.PayUnit != "month":
		return Errorf(EINVALID, "opening %s: pay unit %q is not hour, day or month", id, o.PayUnit)
	}
	return nil
}

// Validate checks what every store requires of an occupation family (EINVALID).
func (o Occupation) Validate() error {
	if o.ID == "" {
		return Errorf(EINVALID, "occupation ID is empty")
	}
	for k, v := range o.Demand {
		if k == "" {
			return Errorf(EINVALID, "occupation %s: demand for an empty region", o.ID)
		}
		if v < 0 || v > 3 {
			return Errorf(EINVALID, "occupation %s: demand %d in %s is not 0..3", o.ID, v, k)
		}
	}
	return nil
}
