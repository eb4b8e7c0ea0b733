package sender_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/sender"
)

func TestDeliverRepliesToFreshEventsAndPushesTheRest(t *testing.T) {
	cases := []struct {
		name    string
		n       int           // messages in the outbox
		age     time.Duration // how long ago LINE says the event happened
		canPush func(context.Context) (bool, error)
		wantVia []string // per batch; "" = not sent
	}{
		{"fresh event is answered by reply", 3, 0, allowPush, []string{"reply"}},
		{"event a minute old is answered by push", 3, 60 * time.Second, allowPush, []string{"push"}},
		{"twelve messages arrive in order, the first five by reply", 12, 0, allowPush, []string{"reply", "push", "push"}},
		{"twelve messages to an old event all go by push", 12, 60 * time.Second, allowPush, []string{"push", "push", "push"}},
		{"a user who blocked the bot gets nothing for an old event", 3, 60 * time.Second, denyPush, []string{""}},
		{"a user who blocked the bot gets only the reply", 12, 0, denyPush, []string{"reply", "", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			s := newSender(t, fake)
			ctx := ctxT(t)
			user := linefake.NewUserID()
			msgs := texts("ข้อความ", tc.n)
			o := sender.NewOutbox("ev1", user, fake.IssueReplyToken(user), time.Now().Add(-tc.age), msgs)
			st := &store{}

			if err := s.Deliver(ctx, o, st.save, tc.canPush); err != nil {
				t.Fatalf("Deliver: %v", err)
			}

			// What the user got: every message of a sent batch once, in order,
			// by the way the batch says it went.
			var want []string
			var pushKeys []string
			for i, b := range o.Batches {
				if b.Via != tc.wantVia[i] || b.Sent != (tc.wantVia[i] != "") {
					t.Errorf("batch %d: sent=%v via %q, want via %q", i, b.Sent, b.Via, tc.wantVia[i])
				}
				if b.Sent {
					want = append(want, textsOf(b.Messages)...)
				}
				if b.Via == "push" {
					pushKeys = append(pushKeys, b.RetryKey)
				}
			}
			if tc.wantVia[len(tc.wantVia)-1] != "" && !slices.Equal(want, textsOf(msgs)) {
				t.Errorf("the batches hold %q, want all of %q", want, textsOf(msgs))
			}
			got := assertReceived(t, fake, user, want)
			for i, d := range got {
				if wantVia := tc.wantVia[i/sender.MaxMessagesPerRequest]; d.Via != wantVia {
					t.Errorf("message %d came by %s, want %s", i+1, d.Via, wantVia)
				}
			}

			// How it went: one reply call at most, one push per pushed batch
			// with that batch's retry key.
			wantReplies := 0
			if tc.wantVia[0] == "reply" {
				wantReplies = 1
			}
			if n := len(fake.CallsTo("reply")); n != wantReplies {
				t.Errorf("%d reply calls, want %d", n, wantReplies)
			}
			var gotKeys []string
			for _, c := range fake.CallsTo("push") {
				gotKeys = append(gotKeys, c.RetryKey)
			}
			if !slices.Equal(gotKeys, pushKeys) {
				t.Errorf("push retry keys %q, want the batches' keys %q", gotKeys, pushKeys)
			}
			if o.Done() != !slices.Contains(tc.wantVia, "") {
				t.Errorf("Done() = %v with batches via %q", o.Done(), tc.wantVia)
			}

			// What the caller stored: the reply was recorded as tried before it
			// was made, and the last save is the final state.
			snaps := st.snapshots(t)
			if wantReplies == 1 && (len(snaps) == 0 || !snaps[0].ReplyTried || snaps[0].Batches[0].Sent) {
				t.Errorf("the reply attempt was not saved before the reply call: first save %+v", snaps)
			}
			sent := 0
			for _, v := range tc.wantVia {
				if v != "" {
					sent++
				}
			}
			if sent > 0 {
				if len(snaps) < sent {
					t.Errorf("%d saves for %d sent batches", len(snaps), sent)
				}
				final, _ := json.Marshal(o)
				if last, _ := json.Marshal(st.last(t)); string(last) != string(final) {
					t.Errorf("last save\n%s\nis not the outbox's final state\n%s", last, final)
				}
			}

			// A retry of the event (it loads the stored outbox) sends nothing
			// more.
			calls := len(fake.Calls())
			again := o
			if len(snaps) > 0 {
				again = st.last(t)
			}
			if err := s.Deliver(ctx, again, st.save, tc.canPush); err != nil {
				t.Fatalf("second Deliver: %v", err)
			}
			if n := len(fake.Calls()); n != calls {
				t.Errorf("second Deliver made %d more calls", n-calls)
			}
			assertReceived(t, fake, user, want)
		})
	}
}

// frozenOffset is a clock for the fake that can jump ahead of real time.
type frozenOffset struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *frozenOffset) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *frozenOffset) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

func TestSpentReplyTokenFallsBackToPush(t *testing.T) {
	cases := []struct {
		name string
		// token returns the reply token the outbox carries; the earlier
		// messages it returns are what the user already received.
		token func(ctx context.Context, t *testing.T, fake *linefake.Server, clk *frozenOffset, s *sender.Sender, user string) (string, []string)
	}{
		{"token already used by an earlier answer", func(ctx context.Context, t *testing.T, fake *linefake.Server, _ *frozenOffset, s *sender.Sender, user string) (string, []string) {
			tok := fake.IssueReplyToken(user)
			if err := s.Reply(ctx, tok, []json.RawMessage{textMsg("คำตอบก่อนหน้า")}); err != nil {
				t.Fatalf("first reply: %v", err)
			}
			return tok, []string{"คำตอบก่อนหน้า"}
		}},
		{"token expired while the event waited", func(_ context.Context, _ *testing.T, fake *linefake.Server, clk *frozenOffset, _ *sender.Sender, user string) (string, []string) {
			tok := fake.IssueReplyToken(user)
			clk.Advance(2 * time.Minute)
			return tok, nil
		}},
		{"token LINE never issued", func(context.Context, *testing.T, *linefake.Server, *frozenOffset, *sender.Sender, string) (string, []string) {
			return "0123456789abcdef0123456789abcdef", nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := &frozenOffset{}
			fake := linefake.NewTest(t, linefake.Options{ChannelToken: token, Now: clk.Now})
			s := newSender(t, fake)
			ctx := ctxT(t)
			user := linefake.NewUserID()
			tok, earlier := tc.token(ctx, t, fake, clk, s, user)
			replies := len(fake.CallsTo("reply"))

			// Reply alone says the token is spent, without retrying.
			msgs := texts("ตอบ", 2)
			err := s.Reply(ctx, tok, msgs)
			if !errors.Is(err, sender.ErrInvalidReplyToken) || sender.StatusOf(err) != 400 {
				t.Fatalf("Reply with a spent token: %v (status %d), want ErrInvalidReplyToken with status 400", err, sender.StatusOf(err))
			}
			if n := len(fake.CallsTo("reply")) - replies; n != 1 {
				t.Errorf("a spent token was tried %d times, want once", n)
			}

			// Deliver falls back to push.
			o := sender.NewOutbox("ev1", user, tok, time.Now(), msgs)
			st := &store{}
			if err := s.Deliver(ctx, o, st.save, allowPush); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if !o.Done() || o.Batches[0].Via != "push" {
				t.Errorf("batch sent=%v via %q, want push", o.Batches[0].Sent, o.Batches[0].Via)
			}
			if got := statuses(fake, "push"); !slices.Equal(got, []int{200}) {
				t.Errorf("push answers %v, want one 200", got)
			}
			got := assertReceived(t, fake, user, append(earlier, textsOf(msgs)...))
			for _, d := range got[len(earlier):] {
				if d.Via != "push" || d.RetryKey != o.Batches[0].RetryKey {
					t.Errorf("%q came by %s with key %q, want push with the batch's key", d.Text(), d.Via, d.RetryKey)
				}
			}
		})
	}
}

func TestReplyThatTimedOutAfterLINEDeliveredIsNotSentAgain(t *testing.T) {
	fake := newFake(t)
	s := newSender(t, fake)
	ctx := ctxT(t)
	user := linefake.NewUserID()
	// LINE delivers the reply but answers after the client gave up; the retry
	// finds the token spent.
	fake.Inject(linefake.Fault{Endpoint: "reply", Delay: 600 * time.Millisecond, Deliver: true})
	msgs := texts("สวัสดี", 3)
	o := sender.NewOutbox("ev1", user, fake.IssueReplyToken(user), time.Now(), msgs)

	if err := s.Deliver(ctx, o, (&store{}).save, allowPush); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if !o.Done() || o.Batches[0].Via != "reply" {
		t.Errorf("batch sent=%v via %q, want reply", o.Batches[0].Sent, o.Batches[0].Via)
	}
	if got := statuses(fake, "reply"); !slices.Equal(got, []int{200, 400}) {
		t.Errorf("reply answers %v, want 200 (timed out) then 400 (token spent)", got)
	}
	if n := len(fake.CallsTo("push")); n != 0 {
		t.Errorf("%d push calls, want none", n)
	}
	assertReceived(t, fake, user, textsOf(msgs))
}
