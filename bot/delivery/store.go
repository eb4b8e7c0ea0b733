package delivery

import (
	"context"
	"time"

	"github.com/paitor/paitor/content"
)

// Store is what the engine reads and writes in the system of record: the
// cities and their announcements, the audience, and the chunks of each
// broadcast with their outcome.
type Store interface {
	City(ctx context.Context, id string) (content.City, error)
	Cities(ctx context.Context) ([]content.City, error)

	Announcement(ctx context.Context, cityID, id string) (content.Announcement, error)
	Announcements(ctx context.Context, cityID string) ([]content.Announcement, error)
	SaveAnnouncement(ctx context.Context, a content.Announcement) error
	ClaimDueAnnouncements(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]content.Announcement, error)

	StreamAudience(ctx context.Context, a content.Audience, fn func(content.Recipient) error) error

	SaveChunks(ctx context.Context, chunks []content.Chunk) error
	Chunk(ctx context.Context, announcementID string, seq int) (content.Chunk, error)
	FinishChunk(ctx context.Context, announcementID string, seq int, status, errText string, at time.Time) error
	SetSkipped(ctx context.Context, announcementID string, blocked, optedOut, capped int) error
	Stats(ctx context.Context, announcementID string) (content.BroadcastStats, error)
}
