package actions

import (
	"context"
	"time"

	"github.com/paitor/paitor/content"
)

// Store is what the actions read and write in the system of record.
type Store interface {
	// guardians
	CreateGuardianCode(ctx context.Context, youthID, code string, createdAt, expiresAt time.Time) error
	ConfirmGuardian(ctx context.Context, code, guardianID string, at time.Time) (content.Guardian, error)
	GuardianOf(ctx context.Context, youthID string) (content.Guardian, error)
	SaveProfile(ctx context.Context, userID string, fields map[string]string, at time.Time) error

	// plans, follow-up and people
	SavePlan(ctx context.Context, p content.Plan) error
	RecordOutcome(ctx context.Context, o content.Outcome) error
	Schedule(ctx context.Context, s content.Scheduled) error
	CancelScheduled(ctx context.Context, userID, kind, reason string) (int, error)
	RequestHandoff(ctx context.Context, h content.Handoff) error
	OpenHandoffOf(ctx context.Context, userID string) (content.Handoff, error)
	KeepForCounsellor(ctx context.Context, userID, text string, at time.Time) (handoffID string, err error)
	RecordHelped(ctx context.Context, userID, helped string) error
	DeleteUser(ctx context.Context, userID string, at time.Time) error

	// the catalog and what people do with it
	Course(ctx context.Context, id string) (content.Course, error)
	Opening(ctx context.Context, id string) (content.Opening, error)
	SaveItem(ctx context.Context, userID, itemID string, at time.Time) error
	SavedItems(ctx context.Context, userID string) ([]string, error)
	RecordFeedback(ctx context.Context, userID, itemID string, vote int, at time.Time) error

	// festivals
	Festival(ctx context.Context, cityID, id string) (content.Festival, error)
	UpcomingFestivals(ctx context.Context, from time.Time, limit int) ([]content.Festival, error)
	RecordTap(ctx context.Context, announcementID, userID, button string, at time.Time) error
}
