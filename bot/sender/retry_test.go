package sender_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/sender"
)

func TestFailedSendIsRetriedAndArrivesOnce(t *testing.T) {
	const delay = 600 * time.Millisecond // the client gives up after 300 ms
	cases := []struct {
		name         string
		endpoint     string // "push" or "multicast"
		faults       []linefake.Fault
		wantStatuses []int         // what the fake answered, in order
		minGap       time.Duration // between the last two calls
	}{
		{"LINE failing twice with 500 is retried with the same key", "push",
			[]linefake.Fault{{Endpoint: "push", Status: 500, Times: 2}}, []int{500, 500, 200}, 0},
		{"LINE overloaded with 503 is retried", "push",
			[]linefake.Fault{{Endpoint: "push", Status: 503}}, []int{503, 200}, 0},
		{"rate limited with Retry-After 1 waits a second before retrying", "push",
			[]linefake.Fault{{Endpoint: "push", Status: 429, RetryAfter: time.Second}}, []int{429, 200}, time.Second},
		{"rate limited without Retry-After is retried", "push",
			[]linefake.Fault{{Endpoint: "push", Status: 429}}, []int{429, 200}, 0},
		{"timeout before LINE took the push is retried", "push",
			[]linefake.Fault{{Endpoint: "push", Delay: delay}}, []int{503, 200}, 0},
		{"timeout after LINE delivered the push: the retry's 409 counts as sent", "push",
			[]linefake.Fault{{Endpoint: "push", Delay: delay, Deliver: true}}, []int{200, 409}, 0},
		{"push delivered but answered 500: the retry's 409 counts as sent", "push",
			[]linefake.Fault{{Endpoint: "push", Status: 500, Deliver: true}}, []int{500, 409}, 0},
		{"multicast failing with 500 is retried with the same key", "multicast",
			[]linefake.Fault{{Endpoint: "multicast", Status: 500, Times: 2}}, []int{500, 500, 200}, 0},
		{"timeout after LINE delivered the multicast: the retry's 409 counts as sent", "multicast",
			[]linefake.Fault{{Endpoint: "multicast", Delay: delay, Deliver: true}}, []int{200, 409}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			s := newSender(t, fake)
			ctx := ctxT(t)
			for _, f := range tc.faults {
				fake.Inject(f)
			}
			users := []string{linefake.NewUserID()}
			if tc.endpoint == "multicast" {
				users = append(users, linefake.NewUserID(), linefake.NewUserID())
			}
			msgs := texts("นัดหมาย", 2)
			key := uuid.NewString()

			var err error
			if tc.endpoint == "push" {
				err = s.Push(ctx, users[0], msgs, key)
			} else {
				err = s.Multicast(ctx, users, msgs, key)
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.endpoint, err)
			}

			for _, u := range users {
				assertReceived(t, fake, u, textsOf(msgs))
			}
			calls := fake.CallsTo(tc.endpoint)
			if got := statuses(fake, tc.endpoint); !slices.Equal(got, tc.wantStatuses) {
				t.Errorf("LINE answered %v, want %v", got, tc.wantStatuses)
			}
			for i, c := range calls {
				if c.RetryKey != key {
					t.Errorf("try %d carried retry key %q, want %q on every try", i+1, c.RetryKey, key)
				}
			}
			if tc.minGap > 0 && len(calls) >= 2 {
				gap := calls[len(calls)-1].At.Sub(calls[len(calls)-2].At)
				if gap < tc.minGap-10*time.Millisecond {
					t.Errorf("retried %v after the 429, want at least the Retry-After %v", gap, tc.minGap)
				}
			}
		})
	}
}

func TestRefusedSendIsNotRetried(t *testing.T) {
	cases := []struct {
		name        string
		endpoint    string
		send        func(ctx context.Context, s *sender.Sender, fake *linefake.Server, user string) error
		wantStatus  int
		wantInvalid int // validation errors the fake records
	}{
		{"a text message without text", "push", func(ctx context.Context, s *sender.Sender, _ *linefake.Server, user string) error {
			return s.Push(ctx, user, []json.RawMessage{json.RawMessage(`{"type":"text"}`)}, uuid.NewString())
		}, http.StatusBadRequest, 1},
		{"a text longer than 5,000 UTF-16 units", "push", func(ctx context.Context, s *sender.Sender, _ *linefake.Server, user string) error {
			return s.Push(ctx, user, []json.RawMessage{textMsg(strings.Repeat("😀", 2501))}, uuid.NewString())
		}, http.StatusBadRequest, 1},
		{"a push to something that is not a LINE ID", "push", func(ctx context.Context, s *sender.Sender, _ *linefake.Server, _ string) error {
			return s.Push(ctx, "somchai", texts("x", 1), uuid.NewString())
		}, http.StatusBadRequest, 1},
		{"a reply LINE refuses for its content is not pushed instead", "reply", func(ctx context.Context, s *sender.Sender, fake *linefake.Server, user string) error {
			o := sender.NewOutbox("ev1", user, fake.IssueReplyToken(user), time.Now(), []json.RawMessage{json.RawMessage(`{"type":"text"}`)})
			return s.Deliver(ctx, o, (&store{}).save, allowPush)
		}, http.StatusBadRequest, 1},
		{"the profile of a user LINE does not know", "profile", func(ctx context.Context, s *sender.Sender, _ *linefake.Server, user string) error {
			_, err := s.Profile(ctx, user)
			return err
		}, http.StatusNotFound, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newLenientFake(t) // these requests are invalid on purpose
			s := newSender(t, fake)
			user := linefake.NewUserID()

			err := tc.send(ctxT(t), s, fake, user)
			if err == nil || sender.StatusOf(err) != tc.wantStatus {
				t.Fatalf("err = %v (status %d), want status %d", err, sender.StatusOf(err), tc.wantStatus)
			}
			if n := len(fake.Calls()); n != 1 {
				var seen []string
				for _, c := range fake.Calls() {
					seen = append(seen, fmt.Sprintf("%s→%d", c.Endpoint, c.Status))
				}
				t.Errorf("%d calls to LINE %v, want exactly one (no retry, no fallback)", n, seen)
			}
			if n := len(fake.CallsTo(tc.endpoint)); n != 1 {
				t.Errorf("%d %s calls, want 1", n, tc.endpoint)
			}
			if n := len(fake.ValidationErrors()); n != tc.wantInvalid {
				t.Errorf("%d validation errors, want %d: %v", n, tc.wantInvalid, fake.ValidationErrors())
			}
			assertReceived(t, fake, user, nil)
		})
	}
}

func TestRequestsBeyondLINELimitsAreRefusedBeforeCallingLINE(t *testing.T) {
	cases := []struct {
		name     string
		users    int
		send     func(ctx context.Context, s *sender.Sender, users []string, msgs []json.RawMessage) error
		messages int
		wantOK   bool
	}{
		{"multicast to 500 users reaches each once", 500, multicast, 2, true},
		{"multicast to 501 users", 501, multicast, 1, false},
		{"multicast to nobody", 0, multicast, 1, false},
		{"multicast of six messages", 2, multicast, 6, false},
		{"five messages in one push", 1, push, 5, true},
		{"six messages in one push", 1, push, 6, false},
		{"a push of no messages", 1, push, 0, false},
		{"six messages in one reply", 1, func(ctx context.Context, s *sender.Sender, users []string, msgs []json.RawMessage) error {
			return s.Reply(ctx, "0123456789abcdef0123456789abcdef", msgs)
		}, 6, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			s := newSender(t, fake)
			users := make([]string, tc.users)
			for i := range users {
				users[i] = linefake.NewUserID()
			}
			msgs := texts("ประกาศ", tc.messages)

			err := tc.send(ctxT(t), s, users, msgs)
			if (err == nil) != tc.wantOK {
				t.Fatalf("err = %v, want ok=%v", err, tc.wantOK)
			}
			want := []string(nil)
			calls := 0
			if tc.wantOK {
				want, calls = textsOf(msgs), 1
			}
			if n := len(fake.Calls()); n != calls {
				t.Errorf("%d calls to LINE, want %d", n, calls)
			}
			for _, u := range users {
				assertReceived(t, fake, u, want)
				if t.Failed() {
					break
				}
			}
		})
	}
}

func multicast(ctx context.Context, s *sender.Sender, users []string, msgs []json.RawMessage) error {
	return s.Multicast(ctx, users, msgs, uuid.NewString())
}

func push(ctx context.Context, s *sender.Sender, users []string, msgs []json.RawMessage) error {
	return s.Push(ctx, users[0], msgs, uuid.NewString())
}

func TestLoadingDotsLastWhatLINEAccepts(t *testing.T) {
	cases := []struct {
		asked, want int
	}{{-3, 5}, {0, 5}, {1, 5}, {5, 5}, {7, 10}, {59, 60}, {60, 60}, {61, 60}, {600, 60}}
	fake := newFake(t) // fails the test if loadingSeconds breaks the spec
	s := newSender(t, fake)
	user := linefake.NewUserID()
	for _, tc := range cases {
		before := len(fake.CallsTo("loading"))
		if err := s.ShowLoading(ctxT(t), user, tc.asked); err != nil {
			t.Fatalf("ShowLoading(%d): %v", tc.asked, err)
		}
		calls := fake.CallsTo("loading")[before:]
		var body struct {
			ChatID         string `json:"chatId"`
			LoadingSeconds int    `json:"loadingSeconds"`
		}
		if len(calls) != 1 || json.Unmarshal(calls[0].Body, &body) != nil || body.LoadingSeconds != tc.want || body.ChatID != user {
			t.Errorf("ShowLoading(%d) sent %d calls %v, want one with %d s", tc.asked, len(calls), calls, tc.want)
		}
	}
	assertReceived(t, fake, user, nil) // the dots are not a message
}

func TestProfileIsWhatLINEKnows(t *testing.T) {
	fake := newFake(t)
	s := newSender(t, fake)
	user := linefake.NewUserID()
	fake.AddUser(user, "สมชาย")
	p, err := s.Profile(ctxT(t), user)
	if err != nil || p.DisplayName != "สมชาย" || p.Language != "th" {
		t.Fatalf("Profile = %+v, %v; want สมชาย, th", p, err)
	}
	assertReceived(t, fake, user, nil)
}

func TestLeavingAChat(t *testing.T) {
	cases := []struct {
		name, id string
		leave    func(*sender.Sender) func(context.Context, string) error
		path     string
	}{
		{"group", "C" + strings.Repeat("a", 32), func(s *sender.Sender) func(context.Context, string) error { return s.LeaveGroup }, "/v2/bot/group/Caaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/leave"},
		{"room", "R" + strings.Repeat("b", 32), func(s *sender.Sender) func(context.Context, string) error { return s.LeaveRoom }, "/v2/bot/room/Rbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/leave"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t)
			s := newSender(t, fake)
			if err := tc.leave(s)(ctxT(t), tc.id); err != nil {
				t.Fatal(err)
			}
			calls := fake.Calls()
			if len(calls) != 1 || calls[0].Path != tc.path || calls[0].Status != 200 {
				t.Errorf("calls %+v, want one POST %s", calls, tc.path)
			}
			assertReceived(t, fake, tc.id, nil) // leaving says nothing to the chat
		})
	}
}
