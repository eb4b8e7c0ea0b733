package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// benchHarness runs the service on the local PostgreSQL and Redis.
func benchHarness(b *testing.B, workers bool) *apptest.Harness {
	tg := redistest.Real(b)
	return apptest.New(b, apptest.Options{Store: pgtest.Open(b), Redis: &tg, NoWorkers: !workers, Tweak: func(c *app.Config) {
		c.Queue = queue.Config{} // production defaults: 16 partitions
	}})
}

// signedBodies prepares n one-event text webhooks from distinct users.
func signedBodies(h *apptest.Harness, n int) (bodies [][]byte, sigs []string) {
	users := make([]string, 200)
	for i := range users {
		users[i] = h.NewUser()
	}
	for i := range n {
		body := linefake.CallbackBody(linefake.DefaultDestination, h.Fake.Event(users[i%len(users)]).Text("เมนู"))
		bodies = append(bodies, body)
		sigs = append(sigs, linefake.Sign(apptest.Secret, body))
	}
	return bodies, sigs
}

func post(c *http.Client, url string, body []byte, sig string) (time.Duration, error) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("X-Line-Signature", sig)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		return 0, fmt.Errorf("status %d", res.StatusCode)
	}
	return time.Since(start), nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkWebhookAck: signed one-event text webhooks at a fixed concurrency
// on loopback against local PostgreSQL and Redis: the webhook alone (workers
// paused, as while they are busy elsewhere), then with the workers answering
// every event on the same two cores.
func BenchmarkWebhookAck(b *testing.B) {
	for _, workers := range []bool{false, true} {
		name := map[bool]string{false: "webhook-only", true: "with-workers"}[workers]
		b.Run(name, func(b *testing.B) { benchAck(b, benchHarness(b, workers), name) })
	}
}

func benchAck(b *testing.B, h *apptest.Harness, name string) {
	const n, concurrency = 20000, 32
	bodies, sigs := signedBodies(h, n)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	url := h.Server.URL + "/callback"
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < n; i = next.Add(1) - 1 {
				d, err := post(client, url, bodies[i], sigs[i])
				if err != nil {
					failed.Add(1)
				}
				lat[i] = d
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	rate := float64(n) / el.Seconds()
	b.ReportMetric(rate, "acks/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	fmt.Printf("webhook ack (%s): %d signed one-event webhooks, concurrency %d: %.0f acks/s, p50 %.2f ms, p99 %.2f ms, %d failed\n",
		name, n, concurrency, rate, ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99)), failed.Load())
}

// BenchmarkWebhookAckPaced: acknowledgement latency at a steady 1,000 req/s.
func BenchmarkWebhookAckPaced(b *testing.B) {
	h := benchHarness(b, true)
	const rate, seconds = 1000, 5
	n := rate * seconds
	bodies, sigs := signedBodies(h, n)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	url := h.Server.URL + "/callback"
	lat := make([]time.Duration, n)
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	for i := range n {
		<-tick.C
		wg.Go(func() {
			d, err := post(client, url, bodies[i], sigs[i])
			if err != nil {
				failed.Add(1)
			}
			lat[i] = d
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	fmt.Printf("webhook ack at %d req/s for %d s: p50 %.2f ms, p99 %.2f ms, %d failed\n",
		rate, seconds, ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99)), failed.Load())
}

// BenchmarkTurnEndToEnd: webhook in → reply call out at the fake LINE server,
// one turn at a time and then 20 users at once.
func BenchmarkTurnEndToEnd(b *testing.B) {
	h := benchHarness(b, true)
	for _, parallel := range []int{1, 20} {
		const turns = 600
		lat := make([]time.Duration, turns)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range parallel {
			wg.Go(func() {
				u := h.NewUser()
				seen := 0
				for i := next.Add(1) - 1; i < turns; i = next.Add(1) - 1 {
					ev := h.Fake.Event(u).Text("เมนู")
					start := time.Now()
					status, err := linefake.Deliver(context.Background(), h.Client, h.Server.URL+"/callback", apptest.Secret, ev)
					if err != nil || status != 200 {
						b.Errorf("webhook: %d %v", status, err)
						return
					}
					seen++
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					if _, err := h.Fake.WaitReceived(ctx, u, seen); err != nil {
						b.Error(err)
					}
					cancel()
					lat[i] = time.Since(start)
				}
			})
		}
		wg.Wait()
		b.ReportMetric(ms(percentile(lat, 0.50)), fmt.Sprintf("p50-ms/par%d", parallel))
		b.ReportMetric(ms(percentile(lat, 0.99)), fmt.Sprintf("p99-ms/par%d", parallel))
		fmt.Printf("end-to-end turn (webhook → reply at fake LINE), %d users at once, %d turns: p50 %.2f ms, p99 %.2f ms\n",
			parallel, turns, ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99)))
	}
}

// BenchmarkJourneyToPlan plays a young person's whole journey, follow to a
// saved plan, through the webhook, and prints the figures of the guidance
// issue: taps and typed messages, bot messages, the share of turns that end
// with quick replies, and an estimate of the time a person needs.
func BenchmarkJourneyToPlan(b *testing.B) {
	h := apptest.New(b, apptest.Options{})
	c := h.Chat()
	turns, turnsWithChips := 0, 0
	step := func(got []linefake.Delivery) {
		turns++
		if len(got) > 0 && len(apptest.QuickReplies(got[len(got)-1])) > 0 {
			turnsWithChips++
		}
	}
	b.ResetTimer()
	start := time.Now()
	step(c.Follow())
	for _, tap := range []string{"ฉันกำลังหาทางไปต่อ", "ยอมรับ"} {
		step(c.Tap(tap))
	}
	step(c.Type("24"))
	step(c.Type("โคราช"))
	for _, tap := range []string{"ข้าม", "ยังไม่ได้เรียน/ทำงาน", "ม.3", "มีรายได้เร็ว ๆ", "เสาร์-อาทิตย์", "ฟรีเท่านั้น", "ไม่เกิน 15 กม.", "มือถือ มีเน็ต", "ไม่มี"} {
		step(c.Tap(tap))
	}
	for i := 0; i < 12; i++ {
		step(c.Tap([]string{"ชอบ", "เฉย ๆ", "ไม่ชอบ"}[i%3]))
	}
	step(c.Tap("บันทึกแผนนี้"))
	el := time.Since(start)
	b.StopTimer()
	withChips, chars := 0, 0
	for _, d := range c.All {
		if len(apptest.QuickReplies(d)) > 0 {
			withChips++
		}
		chars += len([]rune(d.Text()))
	}
	// A person: about 3 s a tap, 8 s a typed answer, reading 15 characters a second.
	human := time.Duration(c.Taps)*3*time.Second + time.Duration(c.Typed)*8*time.Second + time.Duration(chars/15)*time.Second
	b.ReportMetric(float64(c.Taps), "taps")
	b.ReportMetric(float64(c.Typed), "typed")
	b.ReportMetric(float64(turnsWithChips)/float64(turns)*100, "%turns-with-chips")
	fmt.Printf("journey follow → saved plan: %d taps + %d typed answers, %d bot messages (%d with quick replies), %d/%d turns end with quick replies (%.0f%%), %d characters to read, about %s for a person (3 s a tap, 8 s a typed answer, 15 characters/s reading); %s through the service\n",
		c.Taps, c.Typed, len(c.All), withChips, turnsWithChips, turns, float64(turnsWithChips)/float64(turns)*100, chars, human.Round(10*time.Second), el.Round(time.Millisecond))
}
