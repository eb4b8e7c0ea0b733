package apptest

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/paitor/paitor/bot/linefake"
)

// Chat plays one LINE user's side of a conversation through the real webhook
// path and collects what the bot answered to each step. It counts taps and
// typed messages, the figures of a journey.
type Chat struct {
	h     *Harness
	User  string
	seen  int
	Taps  int // quick replies tapped
	Typed int // messages typed
	// All is everything the bot sent this user, in order.
	All []linefake.Delivery
}

// Chat starts a conversation as a new user.
func (h *Harness) Chat() *Chat { return &Chat{h: h, User: h.NewUser()} }

// Follow adds the bot as a friend and returns its answer.
func (c *Chat) Follow() []linefake.Delivery {
	return c.send(c.h.Fake.Event(c.User).Follow(false))
}

// Type sends a text message and returns the answer.
func (c *Chat) Type(text string) []linefake.Delivery {
	c.Typed++
	return c.send(c.h.Fake.Event(c.User).Text(text))
}

// Location shares a location and returns the answer.
func (c *Chat) Location(lat, lng float64) []linefake.Delivery {
	c.Typed++
	return c.send(c.h.Fake.Event(c.User).Location("ตำแหน่งของฉัน", "", lat, lng))
}

// Tap taps the quick reply with this label on the last message that offered
// quick replies, as LINE would send it (a postback, or the label as text for
// a message action); the test fails when there is no such chip.
func (c *Chat) Tap(label string) []linefake.Delivery {
	c.h.t.Helper()
	last := c.LastWithChoices()
	for _, q := range QuickReplies(last) {
		if q.Label != label {
			continue
		}
		c.Taps++
		if q.Type == "postback" {
			return c.send(c.h.Fake.Event(c.User).Postback(q.Data, nil))
		}
		return c.send(c.h.Fake.Event(c.User).Text(q.Text))
	}
	c.h.t.Fatalf("no quick reply %q; chips are %v (message %q)", label, QuickReplyLabels(last), last.Text())
	return nil
}

// LastWithChoices is the last message the bot sent that offers quick replies.
func (c *Chat) LastWithChoices() linefake.Delivery {
	for i := len(c.All) - 1; i >= 0; i-- {
		if len(QuickReplies(c.All[i])) > 0 {
			return c.All[i]
		}
	}
	return linefake.Delivery{}
}

// Chips returns the labels of the quick replies on offer now.
func (c *Chat) Chips() []string { return QuickReplyLabels(c.LastWithChoices()) }

// Collect waits for what the bot sends on its own (a scheduled push).
func (c *Chat) Collect() []linefake.Delivery {
	c.h.Settle()
	got := c.h.Fake.Received(c.User)
	out := got[c.seen:]
	c.seen = len(got)
	c.All = append(c.All, out...)
	return out
}

func (c *Chat) send(ev json.RawMessage) []linefake.Delivery {
	c.h.t.Helper()
	c.h.MustPost(ev)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := c.h.Fake.WaitReceived(ctx, c.User, c.seen+1); err != nil {
		c.h.t.Fatalf("no answer: %v (last: %q)", err, lastText(c.All))
	}
	c.waitIdle()
	got := c.h.Fake.Received(c.User)
	out := got[c.seen:]
	c.seen = len(got)
	c.All = append(c.All, out...)
	return out
}

// waitIdle waits until every queued event was handled (acknowledged events
// have sent everything they say).
func (c *Chat) waitIdle() {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		st, err := c.h.App.Queue.Stats(context.Background())
		if err == nil && st.Depth == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	c.h.t.Fatalf("queue did not drain")
}

// Text joins the texts of deliveries, for assertions.
func Text(ds []linefake.Delivery) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, d.Text())
	}
	return strings.Join(parts, "\n")
}

func lastText(ds []linefake.Delivery) string {
	if len(ds) == 0 {
		return ""
	}
	return ds[len(ds)-1].Text()
}
