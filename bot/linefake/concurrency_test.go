package linefake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"

	"github.com/google/uuid"
)

func TestConcurrentPushes(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	users := make([]string, 20)
	for i := range users {
		users[i] = NewUserID()
	}
	var wg sync.WaitGroup
	for g, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client(t, s) // one client per goroutine
			for i := range 10 {
				if _, err := push(c, u, uuid.NewString(), text(fmt.Sprintf("g%d m%d", g, i))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if s.DeliveredCount() != 200 {
		t.Errorf("DeliveredCount = %d", s.DeliveredCount())
	}
	for g, u := range users {
		got := s.Received(u)
		for i, d := range got {
			if want := fmt.Sprintf("g%d m%d", g, i); d.Text() != want {
				t.Fatalf("user %d message %d = %q, want %q", g, i, d.Text(), want)
			}
		}
	}
}

func TestValidatorDoesNotRepeatParentErrors(t *testing.T) {
	sp, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := decodeJSON([]byte(`{"to":"U00000000000000000000000000000000","messages":[{"type":"text","text":"x","quickReply":{"items":"nope"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	v := &validator{doc: sp.messaging}
	v.walk(sp.messagingSchema("PushMessageRequest"), doc, "", false)
	if len(v.details) != 1 || v.details[0].Property != "messages[0].quickReply.items" {
		t.Errorf("details %+v, want one on messages[0].quickReply.items", v.details)
	}
}

// BenchmarkMulticast500 measures one 500-recipient, 2-message multicast
// through ServeHTTP (no network) and the retained memory per delivery.
func BenchmarkMulticast500(b *testing.B) {
	s, err := New(Options{DiscardCallBodies: true})
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, 64)
	for i := range bodies {
		to := make([]string, 500)
		for j := range to {
			to[j] = NewUserID()
		}
		bodies[i], _ = json.Marshal(map[string]any{
			"to":       to,
			"messages": []any{map[string]any{"type": "text", "text": "ข่าวดีประจำสัปดาห์"}, map[string]any{"type": "sticker", "packageId": "446", "stickerId": "1988"}},
		})
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/v2/bot/message/multicast", bytes.NewReader(bodies[i%len(bodies)]))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.StopTimer()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := s.DeliveredCount(); n > 0 {
		b.ReportMetric(float64(max(int64(after.HeapAlloc)-int64(before.HeapAlloc), 0))/float64(n), "retained-B/delivery")
	}
	if len(s.ValidationErrors()) > 0 {
		b.Fatal(s.ValidationErrors()[0])
	}
}
