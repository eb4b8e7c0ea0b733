package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/paitor/paitor/bot/queue"
	"github.com/paitor/paitor/bot/sender"
	"github.com/paitor/paitor/content"
)

// errQuiet makes the queue hold a chunk taken just as the quiet hours began.
var errQuiet = errors.New("delivery: quiet hours: the chunk waits")

// handle sends one chunk: the queue's handler. It returns nil once the chunk
// is finished (sent or failed), an error to have it retried.
func (e *Engine) handle(ctx context.Context, m queue.Message) error {
	var ev event
	if err := json.Unmarshal(m.Body, &ev); err != nil || ev.A == "" {
		return queue.Permanent(fmt.Errorf("delivery: bad chunk event %q: %v", m.Body, err))
	}
	if err := e.testHook("start", ev); err != nil {
		return err
	}
	now := e.cfg.Now()
	if e.quiet.Contains(now) {
		return errQuiet
	}
	ch, err := e.st.Chunk(ctx, ev.A, ev.S)
	if content.IsNotFound(err) {
		return queue.Permanent(fmt.Errorf("delivery: chunk %s:%d: %w", ev.A, ev.S, err))
	}
	if err != nil {
		return fmt.Errorf("delivery: load chunk %s:%d: %w", ev.A, ev.S, err)
	}
	if ch.Status != chunkPending { // finished by an earlier try
		return e.finished(ctx, ev.C, ev.A, ev.S)
	}
	a, err := e.announcement(ctx, ev.C, ev.A)
	if content.IsNotFound(err) {
		return queue.Permanent(fmt.Errorf("delivery: chunk %s:%d: %w", ev.A, ev.S, err))
	}
	if err != nil {
		return fmt.Errorf("delivery: load announcement of chunk %s:%d: %w", ev.A, ev.S, err)
	}
	if a.Status == content.AnnCancelled {
		return e.finish(ctx, ev, chunkFailed, "announcement cancelled")
	}
	if len(ch.Recipients) == 0 {
		return e.finish(ctx, ev, chunkFailed, "no recipients")
	}
	msgs, err := e.messages(ctx, a)
	if errors.Is(err, errBadRender) {
		e.log.Error("delivery: announcement cannot be sent", "announcement", ev.A, "err", err)
		return e.finish(ctx, ev, chunkFailed, err.Error())
	}
	if err != nil {
		return e.retryOrGiveUp(ctx, m, ev, err)
	}
	if err := e.cfg.Sender.Multicast(ctx, ch.Recipients, msgs, ch.RetryKey); err != nil {
		if permanent(err) {
			e.log.Error("delivery: LINE refused a chunk", "announcement", ev.A, "seq", ev.S, "err", err)
			return e.finish(ctx, ev, chunkFailed, err.Error())
		}
		return e.retryOrGiveUp(ctx, m, ev, err)
	}
	e.chunksSent.Add(1)
	if err := e.testHook("sent", ev); err != nil {
		return err
	}
	if err := e.st.FinishChunk(ctx, ev.A, ev.S, chunkSent, "", e.cfg.Now()); err != nil {
		return fmt.Errorf("delivery: record chunk %s:%d sent: %w", ev.A, ev.S, err)
	}
	// Counted after the chunk is recorded, so never twice; a crash right here
	// leaves these people one push short on their counters (documented).
	if err := e.caps.add(ctx, ch.Recipients, now); err != nil {
		e.log.Warn("delivery: weekly caps not counted", "announcement", ev.A, "seq", ev.S, "err", err)
	}
	return e.finished(ctx, ev.C, ev.A, ev.S)
}

// finish records a chunk's outcome without sending it.
func (e *Engine) finish(ctx context.Context, ev event, status, errText string) error {
	if err := e.st.FinishChunk(ctx, ev.A, ev.S, status, errText, e.cfg.Now()); err != nil {
		return fmt.Errorf("delivery: record chunk %s:%d %s: %w", ev.A, ev.S, status, err)
	}
	return e.finished(ctx, ev.C, ev.A, ev.S)
}

// retryOrGiveUp has a chunk retried, or records it failed once it has been
// failing for GiveUpAfter.
func (e *Engine) retryOrGiveUp(ctx context.Context, m queue.Message, ev event, err error) error {
	if time.Since(m.Enqueued) < e.cfg.GiveUpAfter {
		return err
	}
	e.log.Error("delivery: giving up on a chunk", "announcement", ev.A, "seq", ev.S, "attempt", m.Attempt, "err", err)
	return e.finish(ctx, ev, chunkFailed, "gave up: "+err.Error())
}

// permanent reports whether LINE refused a request for good: a 4xx other than
// 429 (rate or monthly quota) and 401 (a bad channel token: every chunk would
// fail, so they wait for the token to be fixed). 409 never gets here: the
// sender counts it as accepted.
func permanent(err error) bool {
	s := sender.StatusOf(err)
	return s >= 400 && s < 500 && s != http.StatusTooManyRequests && s != http.StatusUnauthorized
}

func (e *Engine) testHook(stage string, ev event) error {
	if e.hook == nil {
		return nil
	}
	return e.hook(stage, ev.A, ev.S)
}
