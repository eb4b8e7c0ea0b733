package content

import (
	"context"
	"time"
)

// Course is a short course (or training) a young person can take.
type Course struct {
	ID         string // stable internal ID: source + ":" + external ID
	Source     string // where the record came from, e.g. "sample", "dsd", "thaimooc"
	ExternalID string // the source's own ID; (Source, ExternalID) is unique
	Provider   string // e.g. "ศูนย์พัฒนาฝีมือแรงงานจังหวัดนครราชสีมา"
	TitleTH    string
	TitleEN    string
	DescTH     string
	DescEN     string
	Skills     []string // skills taught (free tags, Thai or English)
	Interests  []string // RIASEC letters the course suits: R I A S E C
	Field      string   // occupation family (assess.Fields: care, trades, digital, ...)
	Mode       string   // "onsite", "online", "hybrid"
	Province   string   // ISO 3166-2 code (TH-30) for onsite/hybrid; "" for online
	District   string
	Lat, Lng   float64   // 0,0 when unknown
	StartDate  time.Time // zero: self-paced / any time
	EndDate    time.Time
	Days       []string  // "mon".."sun"
	StartTime  string    // "09:00"; "" when not fixed
	EndTime    string    // "16:00"
	Hours      int       // total duration in hours
	CostBaht   int       // 0 = free
	Allowance  int       // baht paid to the learner (per course), 0 = none
	Earns      []string  // "certificate", "credit_bank", "tpqi_level_1".."tpqi_level_5"
	Credits    int       // credit-bank credits
	MinAge     int       // 0 = none
	MaxAge     int       // 0 = none
	MinEdu     string    // minimum education (fields.yaml values: p6, m3, m6, pvc, hvc, bachelor) or ""
	Seats      int       // 0 = unknown
	URL        string    // registration URL
	Contact    string    // phone or LINE ID for registration
	OpensAt    time.Time // registration opens; zero = open
	ClosesAt   time.Time // registration closes; zero = no end (it stops being offered after)
	UpdatedAt  time.Time
}

// Opening is a work-study opening: earn while you learn (school-break work,
// part-time with training, apprenticeship, dual vocational placement).
type Opening struct {
	ID           string
	Source       string
	ExternalID   string
	Employer     string
	RoleTH       string
	RoleEN       string
	DescTH       string
	DescEN       string
	Kind         string   // "school_break", "part_time", "apprenticeship", "dual_vocational"
	Field        string   // occupation family
	Interests    []string // RIASEC letters
	Skills       []string // skills the job needs (for skill gaps)
	PayBaht      int
	PayUnit      string // "hour", "day", "month"
	HoursWeek    int
	Days         []string
	StartTime    string // "08:30"
	EndTime      string // "17:30"
	Training     bool   // training included
	Province     string
	District     string
	Lat, Lng     float64
	MinAge       int // labour law: at least 15; matching enforces more
	MinEdu       string
	Night        bool // any work between 22:00 and 06:00 (not for under-18s)
	Hazardous    bool // hazardous work (not for under-18s)
	Requirements string
	URL          string
	Contact      string
	ValidUntil   time.Time // zero = open-ended
	UpdatedAt    time.Time
}

// Occupation is an occupation family with the skills it needs and where it is
// in demand.
type Occupation struct {
	ID     string // the family ID (care, trades, ...)
	NameTH string
	NameEN string
	Skills []string
	Demand map[string]int // region (north, northeast, central, east, west, south) or province code → demand 0..3
	Source string
}

// CatalogStore keeps the catalog. Upserts are by (Source, ExternalID), so
// re-importing a file changes nothing but what changed.
type CatalogStore interface {
	// UpsertCourses inserts or updates courses; it returns how many were new.
	UpsertCourses(ctx context.Context, cs []Course) (created int, err error)
	// UpsertOpenings inserts or updates openings; it returns how many were new.
	UpsertOpenings(ctx context.Context, os []Opening) (created int, err error)
	// UpsertOccupations inserts or updates occupation families by ID.
	UpsertOccupations(ctx context.Context, os []Occupation) error
	// Course returns one course by ID, or ENOTFOUND.
	Course(ctx context.Context, id string) (Course, error)
	// Opening returns one opening by ID, or ENOTFOUND.
	Opening(ctx context.Context, id string) (Opening, error)
	// OfferedCourses streams the courses still on offer at time at (not closed)
	// to fn, in ID order; fn returning an error stops and returns it.
	OfferedCourses(ctx context.Context, at time.Time, fn func(Course) error) error
	// OfferedOpenings streams the openings still valid at time at.
	OfferedOpenings(ctx context.Context, at time.Time, fn func(Opening) error) error
	// Occupations returns every occupation family.
	Occupations(ctx context.Context) ([]Occupation, error)
	// CatalogVersion changes whenever the catalog changes (for caches).
	CatalogVersion(ctx context.Context) (string, error)
}

// Item IDs say what they are: "c:<source>:<external ID>" for a course,
// "o:<source>:<external ID>" for an opening.
const (
	CoursePrefix  = "c:"
	OpeningPrefix = "o:"
)

// CourseID and OpeningID build item IDs.
func CourseID(source, externalID string) string  { return CoursePrefix + source + ":" + externalID }
func OpeningID(source, externalID string) string { return OpeningPrefix + source + ":" + externalID }

// SignalStore keeps what people do with catalog items: save them, rate them
// (👍/👎) and tap through to apply. Methods taking a user ID return ENOTFOUND
// for an unknown user.
type SignalStore interface {
	// SaveItem adds an item to the person's saved list (saving twice is fine).
	SaveItem(ctx context.Context, userID, itemID string, at time.Time) error
	// UnsaveItem removes it.
	UnsaveItem(ctx context.Context, userID, itemID string) error
	// SavedItems lists the person's saved item IDs, most recent first.
	SavedItems(ctx context.Context, userID string) ([]string, error)
	// RecordFeedback records a person's vote on an item (+1 or -1; a later
	// vote replaces an earlier one).
	RecordFeedback(ctx context.Context, userID, itemID string, vote int, at time.Time) error
	// FeedbackScores returns the net votes by item across everyone.
	FeedbackScores(ctx context.Context) (map[string]int, error)
	// RecordClick records a tap on an item's apply/contact link.
	RecordClick(ctx context.Context, userID, itemID string, at time.Time) error
	// Clicks returns the items a person tapped through to, most recent first.
	Clicks(ctx context.Context, userID string) ([]string, error)
}
