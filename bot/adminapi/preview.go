package adminapi

import (
	"context"

	"github.com/paitor/paitor/content"
)

// Preview is what sending an announcement now would do. Its fields are those
// of delivery.Preview, in the same order, so adminapi.Preview(p) converts one.
type Preview struct {
	Targeted        int `json:"targeted"`               // people in the audience
	WouldSend       int `json:"would_send"`             // of them, who would get it
	SkippedBlocked  int `json:"skipped_blocked"`        // left out: they blocked Pai Tor
	SkippedOptedOut int `json:"skipped_opted_out"`      // left out: pushes or festival news turned off
	SkippedCapped   int `json:"skipped_capped"`         // left out: over the weekly cap
	Messages        int `json:"messages_per_recipient"` // message objects each recipient gets
	Multicasts      int `json:"multicasts"`             // LINE requests it takes
	QuotaCost       int `json:"quota_cost"`             // messages counted against the monthly quota
}

// Previewer is what the API needs from the delivery engine.
type Previewer interface {
	Preview(ctx context.Context, a content.Announcement) (Preview, error)
}

// PreviewFrom adapts a Previewer to Config.Preview.
func PreviewFrom(p Previewer) func(ctx context.Context, a content.Announcement) (any, error) {
	return func(ctx context.Context, a content.Announcement) (any, error) {
		pv, err := p.Preview(ctx, a)
		if err != nil {
			return nil, err
		}
		return pv, nil
	}
}
