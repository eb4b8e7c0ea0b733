package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// envelope holds the fields every webhook event shares. The SDK's event types
// carry them too, but each on its own struct; reading them once here keeps the
// event switch short.
type envelope struct {
	Type           string `json:"type"`
	WebhookEventID string `json:"webhookEventId"`
	Timestamp      int64  `json:"timestamp"`
	Mode           string `json:"mode"`
	ReplyToken     string `json:"replyToken"`
	Source         struct {
		Type    string `json:"type"`
		UserID  string `json:"userId"`
		GroupID string `json:"groupId"`
		RoomID  string `json:"roomId"`
	} `json:"source"`
	DeliveryContext *struct {
		IsRedelivery bool `json:"isRedelivery"`
	} `json:"deliveryContext"`
}

func (e envelope) time() time.Time { return time.UnixMilli(e.Timestamp) }

// redelivered reports whether LINE redelivered the event; its reply token is
// not to be trusted.
func (e envelope) redelivered() bool {
	return e.DeliveryContext != nil && e.DeliveryContext.IsRedelivery
}

// HashID returns a short, stable, non-reversible tag for a LINE ID, for logs:
// a user ID never appears in a log in clear.
func HashID(id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("paitor-log:" + id))
	return hex.EncodeToString(sum[:6])
}
