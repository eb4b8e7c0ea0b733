package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/bot/app/apptest"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/llm"
	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// understandBenchHarness runs the service on the local PostgreSQL and Redis
// with the production queue settings, and with the fake model when there is
// one.
func understandBenchHarness(b *testing.B, model *apptest.FakeModel) *apptest.Harness {
	tg := redistest.Real(b)
	return apptest.New(b, apptest.Options{Store: pgtest.Open(b), Redis: &tg, Tweak: func(c *app.Config) {
		c.Queue = queue.Config{} // production defaults: 16 partitions
		if model != nil {
			c.LLM = model.Config()
		}
	}})
}

// benchAdultAtMenu is adultAtMenu for a benchmark.
func benchAdultAtMenu(h *apptest.Harness) *apptest.Chat {
	c := h.Chat()
	c.Follow()
	c.Tap("ฉันกำลังหาทางไปต่อ")
	c.Tap("ยอมรับ")
	c.Tap("24")
	c.Type("เมนู")
	return c
}

// typedTurn is one typed message of a benchmark and the layer that should
// place it.
type typedTurn struct {
	text, layer string
}

// A person who has just consented (the age question is open) types these,
// one at a time: answers to the questions, a command, intents and text
// nothing places (each time with no flow's own choices open).
var typedCycle = []typedTurn{
	{"24", "answer"},
	{"เชียงใหม่", "answer"},
	{"เมนู", "command"},
	{unplaced, "not-understood"},
	{"อยากหางานพาร์ทไทม์", "intent"},
	{"ขอดูแผนของฉัน", "intent"},
	{"555", "intent"},
	{"qwerty zxcv", "not-understood"},
}

// likelyOffered reports whether an answer is the not-understood reply of the
// understand flow (the likely intents as chips).
func likelyOffered(ds []linefake.Delivery) bool {
	return strings.Contains(apptest.Text(ds), "ยังไม่แน่ใจว่าหมายถึงอะไร")
}

// BenchmarkTypedTurn: a typed message without a model, webhook in → reply at
// the fake LINE server, one turn at a time on PostgreSQL and Redis: 200
// turns of answers, a command, intents and not-understood text.
func BenchmarkTypedTurn(b *testing.B) {
	h := understandBenchHarness(b, nil)
	const users = 25
	chats := make([]*apptest.Chat, users)
	for i := range chats {
		chats[i] = h.Chat()
		chats[i].Follow()
		chats[i].Tap("ฉันกำลังหาทางไปต่อ")
		chats[i].Tap("ยอมรับ")
	}
	var all []time.Duration
	byLayer := map[string][]time.Duration{}
	b.ResetTimer()
	for _, c := range chats {
		for _, turn := range typedCycle {
			start := time.Now()
			got := c.Type(turn.text)
			d := got[0].At.Sub(start)
			all = append(all, d)
			byLayer[turn.layer] = append(byLayer[turn.layer], d)
			if likelyOffered(got) != (turn.layer == "not-understood") || turn.layer != "not-understood" && notUnderstood(got) {
				b.Errorf("%q (%s) → %q", turn.text, turn.layer, apptest.Texts(got))
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(ms(percentile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(all, 0.99)), "p99-ms")
	line := ""
	for _, layer := range []string{"answer", "command", "intent", "not-understood"} {
		d := byLayer[layer]
		b.ReportMetric(ms(percentile(d, 0.99)), "p99-ms/"+layer)
		line += fmt.Sprintf(", %s p50 %.2f p99 %.2f ms (%d)", layer, ms(percentile(d, 0.50)), ms(percentile(d, 0.99)), len(d))
	}
	fmt.Printf("typed turn without a model (webhook → reply at fake LINE), %d turns one at a time: p50 %.2f ms, p99 %.2f ms (goal < 20 ms)%s\n",
		len(all), ms(percentile(all, 0.50)), ms(percentile(all, 0.99)), line)
}

// Free text of every kind, typed one after another as it comes: what the
// intent layer places and what it cannot ("unplaced").
var freeTexts = []typedTurn{
	{"หางาน", "intent"}, {"อยากเรียนทำขนม", "intent"}, {unplaced, "unplaced"}, {"ขอดูแผนของฉัน", "intent"},
	{"ฟรีไหม", "intent"}, {"asdf qwer zxcv", "unplaced"}, {"555", "intent"}, {"ไม่มีเงิน", "intent"},
	{"lorem ipsum dolor", "unplaced"}, {"ขอบคุณนะ", "intent"},
}

// BenchmarkModelTurns: with a model that answers at once, how many model
// calls a free-text turn costs (goal ≤ 1: at most one per message, none for
// what the intent layer places) and how long such turns take. It also counts
// where unplaced text went: to the model, or to the choices of the reply
// before it ("ยังไม่เข้าใจ ลองแตะตัวเลือก", no model).
func BenchmarkModelTurns(b *testing.B) {
	model := apptest.NewFakeModel(b, apptest.Always(faqCost))
	h := understandBenchHarness(b, model)
	const users = 20
	chats := make([]*apptest.Chat, users)
	for i := range chats {
		chats[i] = benchAdultAtMenu(h)
	}
	var all, modelled []time.Duration
	turns, unplacedTurns, unplacedToModel, placedToModel, reAsked := 0, 0, 0, 0, 0
	b.ResetTimer()
	for _, c := range chats {
		for _, turn := range freeTexts {
			calls := model.Count()
			start := time.Now()
			got := c.Type(turn.text)
			d := got[0].At.Sub(start)
			all = append(all, d)
			turns++
			asked := model.Count() > calls
			if asked {
				modelled = append(modelled, d)
			}
			switch {
			case turn.layer == "unplaced" && asked:
				unplacedTurns++
				unplacedToModel++
			case turn.layer == "unplaced":
				unplacedTurns++
				if notUnderstood(got) && !likelyOffered(got) {
					reAsked++
				}
			case asked:
				placedToModel++
			}
		}
	}
	b.StopTimer()
	perTurn := float64(model.Count()) / float64(turns)
	b.ReportMetric(perTurn, "llm-calls/free-text-turn")
	b.ReportMetric(float64(unplacedToModel)/float64(unplacedTurns), "unplaced-to-model/unplaced-turn")
	b.ReportMetric(ms(percentile(all, 0.99)), "p99-ms")
	b.ReportMetric(ms(percentile(modelled, 0.99)), "p99-ms/model-turn")
	fmt.Printf("free-text turns with an instant model: %d turns, %d model calls (%.2f a turn, goal ≤ 1); %d turns placed by intents asked the model; of %d unplaced turns %d reached the model and %d got the previous reply's choices again (\"ยังไม่เข้าใจ\", no model); p50 %.2f ms, p99 %.2f ms; model turns p50 %.2f ms, p99 %.2f ms\n",
		turns, model.Count(), perTurn, placedToModel, unplacedTurns, unplacedToModel, reAsked,
		ms(percentile(all, 0.50)), ms(percentile(all, 0.99)), ms(percentile(modelled, 0.50)), ms(percentile(modelled, 0.99)))
}

// BenchmarkModelTimeout: the model never answers; ten people type at once
// and each waits out the real default timeout (8 s) before the likely
// intents come. It takes about 8–9 s once.
func BenchmarkModelTimeout(b *testing.B) {
	model := apptest.NewFakeModel(b, apptest.Always(apptest.ModelAnswer{Status: 200, Body: faqCost.Body, Sleep: time.Minute}))
	h := understandBenchHarness(b, model)
	const users = 10
	chats := make([]*apptest.Chat, users)
	for i := range chats {
		chats[i] = benchAdultAtMenu(h)
	}
	lat := make([]time.Duration, users)
	b.ResetTimer()
	var wg sync.WaitGroup
	for i, c := range chats {
		wg.Go(func() {
			seen := len(h.Fake.Received(c.User))
			start := time.Now()
			status, err := linefake.Deliver(context.Background(), h.Client, h.Server.URL+"/callback", apptest.Secret, h.Fake.Event(c.User).Text(unplaced))
			if err != nil || status != 200 {
				b.Errorf("webhook: %d %v", status, err)
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			got, err := h.Fake.WaitReceived(ctx, c.User, seen+1)
			if err != nil {
				b.Error(err)
				return
			}
			lat[i] = got[seen].At.Sub(start)
			if !likelyOffered(got[seen:]) {
				b.Errorf("after the timeout: %q", apptest.Texts(got[seen:]))
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	p95 := percentile(lat, 0.95)
	waitedTwice := 0
	for _, d := range lat {
		if d > llm.DefaultTimeout+time.Second {
			waitedTwice++
		}
	}
	b.ReportMetric(p95.Seconds(), "p95-s-to-reply")
	fmt.Printf("model past its timeout (default %s), %d people at once: %d model calls, reply p50 %.2f s, p95 %.2f s (goal < 10 s), max %.2f s; %d waited longer than one timeout (behind another person's slow turn in their queue partition)\n",
		llm.DefaultTimeout, users, model.Count(), percentile(lat, 0.50).Seconds(), p95.Seconds(), lat[len(lat)-1].Seconds(), waitedTwice)
}
