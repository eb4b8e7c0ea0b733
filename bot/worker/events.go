package worker

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/paitor/paitor/bot/logs"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/render"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/guidance"
)

// handleEvent is the one place that says what Pai Tor does with each kind of
// webhook event (in the manner of the LINE SDK's kitchensink example).
func (w *Worker) handleEvent(ctx context.Context, m queue.Message) error {
	var ev envelope
	if err := json.Unmarshal(m.Body, &ev); err != nil {
		return queue.Permanent(fmt.Errorf("worker: decode event: %w", err))
	}
	ev.WebhookEventID = m.ID
	if ev.redelivered() {
		ev.ReplyToken = "" // LINE may redeliver late: push instead
	}
	event, err := webhook.UnmarshalEvent(m.Body)
	if err != nil {
		return queue.Permanent(fmt.Errorf("worker: parse %s event: %w", ev.Type, err))
	}
	if w.cfg.Observer != nil {
		w.cfg.Observer.ObserveEvent(ev.Type, w.cfg.Now().Sub(ev.time()))
	}
	log := w.cfg.Log.With("event", ev.Type, "user", logs.HashID(ev.Source.UserID))
	if ev.Mode == string(webhook.EventMode_STANDBY) {
		log.Debug("worker: ignoring event in standby mode (another module has the chat)")
		return nil
	}

	// Group and room chats: Pai Tor is one-to-one. It says so politely on
	// joining and leaves; anything else said there is ignored.
	if ev.Source.Type == "group" || ev.Source.Type == "room" {
		if _, ok := event.(webhook.JoinEvent); ok {
			return w.leaveChat(ctx, ev)
		}
		log.Debug("worker: ignoring event from a group chat")
		return nil
	}
	userID := ev.Source.UserID
	if userID == "" {
		log.Debug("worker: ignoring event without a user")
		return nil
	}
	at := ev.time()

	switch e := event.(type) {
	case webhook.FollowEvent:
		_, created, err := w.cfg.Store.Follow(ctx, userID, at)
		if err != nil {
			return err
		}
		unblocked := e.Follow != nil && e.Follow.IsUnblocked
		return w.respond(ctx, ev, created, guidance.Input{Kind: guidance.InputFollow, Unblocked: unblocked})

	case webhook.UnfollowEvent:
		// The person blocked the account: record it so nothing more is sent.
		if err := w.cfg.Store.Block(ctx, userID, at); err != nil {
			return err
		}
		return w.cfg.State.DeleteSession(ctx, userID)

	case webhook.MessageEvent:
		in, ok := messageInput(e.Message)
		if !ok {
			log.Debug("worker: unknown message type; answering with the fallback", "message_type", e.Message.GetType())
		}
		return w.converse(ctx, ev, in)

	case webhook.PostbackEvent:
		in := guidance.Input{Kind: guidance.InputPostback}
		if e.Postback != nil {
			in.Data, in.Params = e.Postback.Data, e.Postback.Params
		}
		return w.converse(ctx, ev, in)

	case webhook.UnsendEvent:
		// Pai Tor keeps no message text, so there is nothing to remove.
		log.Debug("worker: ignoring unsend")
	case webhook.MessageEditedEvent:
		log.Debug("worker: ignoring an edited message")
	case webhook.LeaveEvent, webhook.MemberJoinedEvent, webhook.MemberLeftEvent:
		log.Debug("worker: ignoring group membership event")
	case webhook.VideoPlayCompleteEvent, webhook.BeaconEvent, webhook.AccountLinkEvent,
		webhook.ThingsEvent, webhook.MembershipEvent, webhook.ModuleEvent,
		webhook.ActivatedEvent, webhook.DeactivatedEvent, webhook.BotSuspendedEvent,
		webhook.BotResumedEvent, webhook.PnpDeliveryCompletionEvent:
		log.Debug("worker: ignoring event Pai Tor does not use")
	case webhook.UnknownEvent:
		log.Debug("worker: ignoring unknown event type")
	default:
		log.Debug("worker: ignoring unexpected event", "go_type", fmt.Sprintf("%T", e))
	}
	return nil
}

// converse runs a turn for a message or postback from a user.
func (w *Worker) converse(ctx context.Context, ev envelope, in guidance.Input) error {
	if _, err := w.cfg.Store.Touch(ctx, ev.Source.UserID, ev.time()); err != nil {
		return err
	}
	return w.respond(ctx, ev, false, in)
}

// respond runs the engine on a user's input and sends the answer, by reply
// while the event's token is fresh.
func (w *Worker) respond(ctx context.Context, ev envelope, isNew bool, in guidance.Input) error {
	out := outboxSpec{id: ev.WebhookEventID, to: ev.Source.UserID, replyToken: ev.ReplyToken, at: ev.time()}
	return w.take(ctx, out, isNew, func(s *guidance.Session, p guidance.Person) guidance.Turn {
		return w.cfg.Script.Respond(s, p, in, w.cfg.Now())
	})
}

// messageInput maps a LINE message to engine input; ok is false for a message
// type it does not know.
func messageInput(m webhook.MessageContentInterface) (in guidance.Input, ok bool) {
	switch c := m.(type) {
	case webhook.TextMessageContent:
		return guidance.Input{Kind: guidance.InputText, Text: c.Text}, true
	case webhook.StickerMessageContent:
		return guidance.Input{Kind: guidance.InputSticker}, true
	case webhook.LocationMessageContent:
		return guidance.Input{Kind: guidance.InputLocation, Lat: c.Latitude, Lng: c.Longitude, Address: c.Address}, true
	case webhook.ImageMessageContent, webhook.VideoMessageContent, webhook.AudioMessageContent, webhook.FileMessageContent:
		return guidance.Input{Kind: guidance.InputMedia}, true
	default:
		return guidance.Input{Kind: guidance.InputOther}, false
	}
}

// leaveChat says goodbye in a group or room and leaves it.
func (w *Worker) leaveChat(ctx context.Context, ev envelope) error {
	to := ev.Source.GroupID
	if ev.Source.Type == "room" {
		to = ev.Source.RoomID
	}
	if err := w.say(ctx, ev, to, w.cfg.Script.Say(guidance.NodeGroup, "th")); err != nil {
		return err
	}
	if ev.Source.Type == "room" {
		return w.cfg.Sender.LeaveRoom(ctx, to)
	}
	return w.cfg.Sender.LeaveGroup(ctx, to)
}

// say sends messages outside a conversation turn (no session change). Its
// outbox has its own ID, so a retry of the event resumes it without saying it
// twice and still does whatever comes after.
func (w *Worker) say(ctx context.Context, ev envelope, to string, msgs []guidance.Message) error {
	id := ev.WebhookEventID + ":say"
	o, ok, err := w.cfg.State.Outbox(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		raw, err := render.Messages(msgs)
		if err != nil {
			return queue.Permanent(err)
		}
		o = sender.NewOutbox(id, to, ev.ReplyToken, ev.time(), raw)
		if err := w.cfg.State.SaveOutbox(ctx, o); err != nil {
			return err
		}
	}
	return w.deliver(ctx, o)
}
