package worker

import (
	"context"
	"time"

	"github.com/paitor/paitor/content"
)

// Store is what the worker reads and writes in the system of record: who
// follows, what a turn sets (role, consent, settings, profile) and the
// scheduled messages it sends.
type Store interface {
	Follow(ctx context.Context, id string, at time.Time) (u content.User, created bool, err error)
	Block(ctx context.Context, id string, at time.Time) error
	Touch(ctx context.Context, id string, at time.Time) (content.User, error)
	User(ctx context.Context, id string) (content.User, error)
	SetRole(ctx context.Context, id string, role content.Role) error

	RecordConsent(ctx context.Context, c content.Consent) error
	SetSetting(ctx context.Context, userID, key, value string) error
	Settings(ctx context.Context, userID string) (map[string]string, error)
	SaveProfile(ctx context.Context, userID string, fields map[string]string, at time.Time) error
	Profile(ctx context.Context, userID string) (map[string]string, error)

	ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]content.Scheduled, error)
	FinishScheduled(ctx context.Context, id, status, reason string, at time.Time) error
	Reschedule(ctx context.Context, id string, dueAt time.Time) error
	CancelScheduled(ctx context.Context, userID, kind, reason string) (int, error)
}
