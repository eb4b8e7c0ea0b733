package app_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// BenchmarkHandoffToInbox: how soon a signed-in counsellor's open inbox
// hears of a new ticket. A counsellor keeps the console's event stream open
// (GET /console/events); 50 people, one after another, ask for a person
// through the webhook; the time is from the webhook POST to the "inbox"
// event on the stream. On the embedded default and on PostgreSQL+Redis.
func BenchmarkHandoffToInbox(b *testing.B) {
	for _, store := range []string{"embedded", "postgres+redis"} {
		b.Run(store, func(b *testing.B) {
			opts := apptest.Options{}
			if store != "embedded" {
				tg := redistest.Real(b)
				opts.Store, opts.Redis = pgtest.Open(b), &tg
			}
			benchHandoffToInbox(b, apptest.New(b, opts), store)
		})
	}
}

func benchHandoffToInbox(b *testing.B, h *apptest.Harness, name string) {
	const people = 50
	counsellor := h.NationalPool()
	session := h.SignIn(counsellor.ID)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.Server.URL+"/console/events", nil)
	req.Header.Set("Cookie", session.Cookie())
	req.Header.Set("Accept", "text/event-stream")
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("GET /console/events: %d", res.StatusCode)
	}
	connected := make(chan struct{})
	events := make(chan time.Time, 64)
	go func() {
		sc := bufio.NewScanner(res.Body)
		once := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case !once && strings.HasPrefix(line, ": connected"):
				once = true
				close(connected)
			case line == "event: inbox":
				events <- time.Now()
			}
		}
	}()
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		b.Fatal("the event stream never said it was connected")
	}
	// The stream subscribes before it says so; make sure Redis agrees.
	channel := h.Redis.Prefix + "tickets:" + counsellor.OrgID
	for deadline := time.Now().Add(10 * time.Second); ; {
		n, err := h.Redis.Client.PubSubNumSub(ctx, channel).Result()
		if err == nil && n[channel] > 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("nobody subscribed to %s", channel)
		}
		time.Sleep(10 * time.Millisecond)
	}

	users := make([]string, people)
	for i := range users {
		users[i] = h.NewUser()
	}
	lat := make([]time.Duration, 0, people)
	b.ResetTimer()
	for _, u := range users {
		// Start from a quiet stream: nothing left over from the last person.
		for quiet := false; !quiet; {
			select {
			case <-events:
			case <-time.After(30 * time.Millisecond):
				quiet = true
			}
		}
		ev := h.Fake.Event(u).Text("คุยกับเจ้าหน้าที่")
		start := time.Now()
		h.MustPost(ev)
		select {
		case at := <-events:
			lat = append(lat, at.Sub(start))
		case <-time.After(15 * time.Second):
			b.Fatalf("no inbox event within 15 s of person %d's request", len(lat)+1)
		}
		h.Wait(u, 1) // the person's answer, before the next one asks
	}
	b.StopTimer()
	tickets, err := h.App.Tickets.Inbox(context.Background(), counsellor, "open")
	if err != nil || len(tickets) != people {
		b.Fatalf("the inbox holds %d tickets (%v), want %d", len(tickets), err, people)
	}
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.95)), "p95-ms")
	fmt.Printf("handoff to inbox (%s): %d people asking for a person one after another, webhook POST → SSE \"inbox\" event: p50 %.2f ms, p95 %.2f ms, max %.2f ms\n",
		name, people, ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95)), ms(percentile(lat, 1)))
}

// BenchmarkInboxWith1000Tickets: the server time of the inbox list (GET
// /console/inbox.html?status=open, what the page fetches on each event) for
// an organisation with 1,000 open tickets in PostgreSQL, 200 requests,
// measured around the service's handler.
func BenchmarkInboxWith1000Tickets(b *testing.B) {
	const tickets, requests = 1000, 200
	tg := redistest.Real(b)
	h := apptest.New(b, apptest.Options{Store: pgtest.Open(b), Redis: &tg, NoWorkers: true})
	ctx := context.Background()
	counsellor, _ := h.Counsellor(content.OrgDCY, content.Counsellor{Name: "ครูขอนแก่น ทดสอบ", Provinces: []string{"TH-40"}})
	now := h.Clock.Now()
	for i := range tickets {
		user := h.NewUser()
		at := now.Add(time.Duration(i-tickets) * time.Minute)
		if _, _, err := h.Store.Follow(ctx, user, at); err != nil {
			b.Fatal(err)
		}
		tk := content.Handoff{ID: uuid.NewString(), UserID: user, Reason: "asked", Urgent: i%50 == 0, At: at, Status: "open"}
		if err := h.Store.RequestHandoff(ctx, tk); err != nil {
			b.Fatal(err)
		}
		if err := h.Store.RouteHandoff(ctx, tk.ID, content.Route{OrgID: counsellor.OrgID, Level: "province", Province: "TH-40"}, at); err != nil {
			b.Fatal(err)
		}
	}
	session := h.SignIn(counsellor.ID)
	cookie := session.Cookie()
	handler := h.App.Handler()
	rows := 0
	lat := make([]time.Duration, 0, requests)
	b.ResetTimer()
	for range requests {
		req := httptest.NewRequest(http.MethodGet, "/console/inbox.html?status=open", nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		start := time.Now()
		handler.ServeHTTP(rec, req)
		lat = append(lat, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET /console/inbox.html: %d %s", rec.Code, rec.Body.String())
		}
		rows = listedRows(rec.Body.String())
	}
	b.StopTimer()
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(float64(rows), "rows-listed")
	fmt.Printf("inbox with %d open tickets (PostgreSQL): %d requests of /console/inbox.html, server time p50 %.2f ms, p99 %.2f ms; the list shows %d rows\n",
		tickets, requests, ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99)), rows)
}

var dataCount = regexp.MustCompile(`data-count="(\d+)"`)

// listedRows is how many tickets an inbox list shows.
func listedRows(body string) int {
	m := dataCount.FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
