package worker

import "time"

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
