package linefake

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
)

// EventBuilder builds webhook events, as LINE sends them, from one user.
// Build methods return the JSON of one events[] item; combine them with
// CallbackBody or send them with Deliver.
type EventBuilder struct {
	s           *Server
	userID      string
	redelivered bool
}

// messageIDs numbers the message IDs the server makes up (webhook message
// IDs and sent-message IDs); LINE's are 18-digit decimal strings.
var messageIDs atomic.Int64

func init() { messageIDs.Store(500_000_000_000_000_000 + rand.Int64N(1_000_000_000_000)) }

// newMessageID returns a fresh LINE-style message ID.
func newMessageID() string { return fmt.Sprint(messageIDs.Add(1)) }

// Event starts an event from userID: source {type:user,userId}, mode
// "active", timestamp now (ms, per Options.Now), a fresh ULID
// webhookEventId and deliveryContext {isRedelivery:false}.
func (s *Server) Event(userID string) *EventBuilder {
	return &EventBuilder{s: s, userID: userID}
}

// Redelivered marks the next event built as a redelivery
// (deliveryContext.isRedelivery = true).
func (b *EventBuilder) Redelivered() *EventBuilder {
	b.redelivered = true
	return b
}

// base returns the fields every event has, for a user source.
func (b *EventBuilder) base(typ string) map[string]any {
	return b.baseFrom(typ, map[string]any{"type": "user", "userId": b.userID})
}

// baseFrom returns the fields every event has, with the given source.
func (b *EventBuilder) baseFrom(typ string, source map[string]any) map[string]any {
	now := b.s.opts.now()
	ev := map[string]any{
		"type":            typ,
		"source":          source,
		"timestamp":       now.UnixMilli(),
		"mode":            "active",
		"webhookEventId":  newULID(now),
		"deliveryContext": map[string]any{"isRedelivery": b.redelivered},
	}
	b.redelivered = false
	return ev
}

// encode marshals an event; its maps hold only JSON-safe values.
func encode(ev map[string]any) json.RawMessage {
	data, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("linefake: encode event: %v", err)) // unreachable: plain maps
	}
	return data
}

// message returns a message event carrying content, with a reply token.
func (b *EventBuilder) message(content map[string]any) json.RawMessage {
	ev := b.base("message")
	content["id"] = newMessageID()
	ev["replyToken"] = b.s.IssueReplyToken(b.userID)
	ev["message"] = content
	return encode(ev)
}

// Text returns a text message event with a fresh reply token and quote token.
func (b *EventBuilder) Text(text string) json.RawMessage {
	return b.message(map[string]any{"type": "text", "text": text, "quoteToken": randomHex(16)})
}

// Sticker returns a sticker message event (stickerResourceType STATIC).
func (b *EventBuilder) Sticker(packageID, stickerID string) json.RawMessage {
	return b.message(map[string]any{
		"type": "sticker", "packageId": packageID, "stickerId": stickerID,
		"stickerResourceType": "STATIC", "quoteToken": randomHex(16),
	})
}

// Image returns an image message event whose content is stored by LINE.
func (b *EventBuilder) Image() json.RawMessage {
	return b.message(map[string]any{
		"type": "image", "contentProvider": map[string]any{"type": "line"}, "quoteToken": randomHex(16),
	})
}

// Location returns a location message event.
func (b *EventBuilder) Location(title, address string, lat, lng float64) json.RawMessage {
	return b.message(map[string]any{
		"type": "location", "title": title, "address": address, "latitude": lat, "longitude": lng,
	})
}

// Postback returns a postback event with a reply token; params (may be
// nil) is postback.params, as date pickers send.
func (b *EventBuilder) Postback(data string, params map[string]string) json.RawMessage {
	ev := b.base("postback")
	pb := map[string]any{"data": data}
	if params != nil {
		pb["params"] = params
	}
	ev["replyToken"] = b.s.IssueReplyToken(b.userID)
	ev["postback"] = pb
	return encode(ev)
}

// Follow returns a follow event (the user added the account, or unblocked
// it when isUnblocked) with a reply token.
func (b *EventBuilder) Follow(isUnblocked bool) json.RawMessage {
	ev := b.base("follow")
	ev["replyToken"] = b.s.IssueReplyToken(b.userID)
	ev["follow"] = map[string]any{"isUnblocked": isUnblocked}
	return encode(ev)
}

// Unfollow returns an unfollow event (the user blocked the account); it
// has no reply token.
func (b *EventBuilder) Unfollow() json.RawMessage {
	return encode(b.base("unfollow"))
}

// Unsend returns an unsend event for messageID.
func (b *EventBuilder) Unsend(messageID string) json.RawMessage {
	ev := b.base("unsend")
	ev["unsend"] = map[string]any{"messageId": messageID}
	return encode(ev)
}

// Join returns a join event: the bot joined groupID. The source is
// {type:group, groupId, userId} and the reply token replies to the group
// (the reply lands in Received(groupID)).
func (b *EventBuilder) Join(groupID string) json.RawMessage {
	ev := b.baseFrom("join", map[string]any{"type": "group", "groupId": groupID, "userId": b.userID})
	ev["replyToken"] = b.s.IssueReplyToken(groupID)
	return encode(ev)
}

// Leave returns a leave event: the bot was removed from groupID. The
// source is {type:group, groupId}; there is no reply token.
func (b *EventBuilder) Leave(groupID string) json.RawMessage {
	return encode(b.baseFrom("leave", map[string]any{"type": "group", "groupId": groupID}))
}

// Unknown returns an event of a type the SDK does not know (e.g.
// "futureEvent"), with a user source and no reply token.
func (b *EventBuilder) Unknown(eventType string) json.RawMessage {
	return encode(b.base(eventType))
}
