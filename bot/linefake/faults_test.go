package linefake

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

func TestInjected429WithRetryAfterDoesNotConsumeKey(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	user := NewUserID()
	key := uuid.NewString()
	s.Inject(Fault{Endpoint: "push", Status: 429, RetryAfter: 1500 * time.Millisecond})
	res, err := push(c, user, key, text("hi"))
	if status(res) != 429 {
		t.Fatalf("status %d, err %v", status(res), err)
	}
	if got := res.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2", got)
	}
	if len(s.Received(user)) != 0 {
		t.Error("delivered despite 429")
	}
	if _, err := push(c, user, key, text("hi")); err != nil {
		t.Fatalf("retry after the fault: %v", err)
	}
	if len(s.Received(user)) != 1 {
		t.Errorf("received %d, want 1", len(s.Received(user)))
	}
}

func TestFaultSelection(t *testing.T) {
	cases := []struct {
		name   string
		fault  Fault
		want   []int // statuses of consecutive pushes
		doLoad bool  // also call the loading endpoint first (must not use the fault)
	}{
		{name: "any endpoint once", fault: Fault{Status: 500}, want: []int{500, 200}},
		{name: "three times", fault: Fault{Endpoint: "push", Status: 503, Times: 3}, want: []int{503, 503, 503, 200}},
		{name: "other endpoint", fault: Fault{Endpoint: "multicast", Status: 500}, want: []int{200, 200}},
		{name: "push fault skips loading", fault: Fault{Endpoint: "push", Status: 500}, want: []int{500, 200}, doLoad: true},
		{name: "delay without deliver", fault: Fault{Delay: 10 * time.Millisecond}, want: []int{503, 200}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewTest(t, Options{ChannelToken: testToken})
			c := client(t, s)
			s.Inject(tc.fault)
			if tc.doLoad {
				if _, _, err := c.ShowLoadingAnimationWithHttpInfo(&messaging_api.ShowLoadingAnimationRequest{ChatId: NewUserID(), LoadingSeconds: 5}); err != nil {
					t.Fatal(err)
				}
			}
			user := NewUserID()
			delivered := 0
			for i, want := range tc.want {
				res, _ := push(c, user, uuid.NewString(), text("x"))
				if status(res) != want {
					t.Errorf("push %d: status %d, want %d", i, status(res), want)
				}
				if want == 200 {
					delivered++
				}
			}
			if got := len(s.Received(user)); got != delivered {
				t.Errorf("delivered %d, want %d", got, delivered)
			}
		})
	}
}

func TestDelayDeliverThenRetryGets409(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s, messaging_api.WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
	user := NewUserID()
	key := uuid.NewString()
	s.Inject(Fault{Endpoint: "push", Delay: 400 * time.Millisecond, Deliver: true})
	start := time.Now()
	if res, err := push(c, user, key, text("ช้าหน่อย")); err == nil {
		t.Fatalf("expected a client timeout, got status %d", status(res))
	}
	if el := time.Since(start); el > 300*time.Millisecond {
		t.Errorf("client waited %v", el)
	}
	res, err := push(c, user, key, text("ช้าหน่อย"))
	if status(res) != http.StatusConflict {
		t.Fatalf("retry: status %d, err %v", status(res), err)
	}
	if got := s.Received(user); len(got) != 1 {
		t.Errorf("received %d, want exactly 1", len(got))
	}
}

func TestDeliveredButAnsweredWithError(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	user := NewUserID()
	key := uuid.NewString()
	s.Inject(Fault{Endpoint: "push", Status: 500, Deliver: true})
	if res, _ := push(c, user, key, text("x")); status(res) != 500 {
		t.Fatalf("status %d", status(res))
	}
	if res, _ := push(c, user, key, text("x")); status(res) != 409 {
		t.Fatalf("retry status %d", status(res))
	}
	if len(s.Received(user)) != 1 {
		t.Errorf("received %d", len(s.Received(user)))
	}
}

func TestFailureRate(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	user := NewUserID()
	s.SetFailureRate("push", 1, 42)
	var got []int
	for range 4 {
		res, _ := push(c, user, uuid.NewString(), text("x"))
		got = append(got, status(res))
	}
	if want := []int{500, 429, 500, 429}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if len(s.Received(user)) != 0 {
		t.Error("failed requests delivered")
	}
	s.SetFailureRate("push", 0.3, 7)
	fails := 0
	for range 200 {
		if res, _ := push(c, user, "", text("x")); status(res) != 200 {
			fails++
		}
	}
	if fails < 30 || fails > 90 {
		t.Errorf("%d of 200 failed at rate 0.3", fails)
	}
	if len(s.Received(user)) != 200-fails {
		t.Errorf("received %d, want %d", len(s.Received(user)), 200-fails)
	}
	s.SetFailureRate("push", 0, 0)
	if res, _ := push(c, user, "", text("x")); status(res) != 200 {
		t.Errorf("after turning off: %d", status(res))
	}
}

func TestRateLimit(t *testing.T) {
	clk := newClock()
	s := NewTest(t, Options{ChannelToken: testToken, Now: clk.Now})
	c := client(t, s)
	user := NewUserID()
	s.SetRateLimit("push", 2, 3)
	var got []int
	for range 4 {
		res, _ := push(c, user, "", text("x"))
		got = append(got, status(res))
	}
	if want := []int{200, 200, 200, 429}; !equalInts(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	res, _ := push(c, user, "", text("x"))
	if body := errorBody(t, res); body["message"] != "The API rate limit has been exceeded. Try again later." {
		t.Errorf("429 body %v", body)
	}
	clk.Advance(500 * time.Millisecond) // one token back
	if res, _ := push(c, user, "", text("x")); status(res) != 200 {
		t.Errorf("after refill: %d", status(res))
	}
	if _, _, err := c.ShowLoadingAnimationWithHttpInfo(&messaging_api.ShowLoadingAnimationRequest{ChatId: user, LoadingSeconds: 5}); err != nil {
		t.Errorf("other endpoint limited: %v", err)
	}
	s.SetRateLimit("push", 0, 0)
	for range 5 {
		if res, _ := push(c, user, "", text("x")); status(res) != 200 {
			t.Fatalf("limit off: %d", status(res))
		}
	}
}

func TestAuth(t *testing.T) {
	s := startServer(t, Options{})
	bad, err := messaging_api.NewMessagingApiAPI("wrong", messaging_api.WithEndpoint(s.URL()))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := push(bad, NewUserID(), "", text("x"))
	if status(res) != 401 || errorBody(t, res)["message"] == nil {
		t.Errorf("status %d", status(res))
	}
	if s.DeliveredCount() != 0 {
		t.Error("delivered without auth")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
