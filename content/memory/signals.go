package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
)

var _ content.SignalStore = (*Store)(nil)

// userSignals is what one person did with catalog items.
//
// DeleteUser (guidance.go) does not know about signals, so they are tied to
// the user record they were made under: since is that record's CreatedAt
// (microseconds, from the store's clock). Signals whose user is gone, or was
// deleted and came back as a new record, are dropped when next looked at, so
// a deleted user's saves, votes and clicks are never seen again.
type userSignals struct {
	since  time.Time
	saved  map[string]time.Time // item ID → when saved
	votes  map[string]int       // item ID → +1 or -1
	clicks map[string]click     // item ID → latest tap
}

type click struct {
	at  time.Time
	seq int64 // order recorded, for equal times
}

// signalsLocked returns the user's signals, made when create is set and there
// are none, or ENOTFOUND for an unknown user. s.mu must be held.
func (s *Store) signalsLocked(userID string, create bool) (*userSignals, error) {
	u, ok := s.users[userID]
	if !ok {
		delete(s.signals, userID)
		return nil, notFound("user %s not found", userID)
	}
	sig := s.liveSignalsLocked(userID, u)
	if sig == nil && create {
		if s.signals == nil {
			s.signals = map[string]*userSignals{}
		}
		sig = &userSignals{since: u.CreatedAt, saved: map[string]time.Time{}, votes: map[string]int{}, clicks: map[string]click{}}
		s.signals[userID] = sig
	}
	return sig, nil
}

// liveSignalsLocked returns the signals recorded for this user record, dropping
// those of an earlier record with the same ID. s.mu must be held.
func (s *Store) liveSignalsLocked(userID string, u content.User) *userSignals {
	sig := s.signals[userID]
	if sig != nil && !sig.since.Equal(u.CreatedAt) {
		delete(s.signals, userID)
		return nil
	}
	return sig
}

// SaveItem adds an item to the person's saved list; saving it again moves it
// to the top (its time becomes at).
func (s *Store) SaveItem(ctx context.Context, userID, itemID string, at time.Time) error {
	if err := content.ValidSignal(userID, itemID, at); err != nil {
		return fmt.Errorf("save item: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	sig, err := s.signalsLocked(userID, true)
	if err != nil {
		return fmt.Errorf("save item: %w", err)
	}
	sig.saved[itemID] = normalize(at)
	return nil
}

// UnsaveItem removes an item from the saved list; removing one that is not
// there is fine.
func (s *Store) UnsaveItem(ctx context.Context, userID, itemID string) error {
	switch {
	case userID == "":
		return fmt.Errorf("unsave item: %w", invalid("user ID is empty"))
	case itemID == "":
		return fmt.Errorf("unsave item: %w", invalid("item ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	sig, err := s.signalsLocked(userID, false)
	if err != nil {
		return fmt.Errorf("unsave item: %w", err)
	}
	if sig != nil {
		delete(sig.saved, itemID)
	}
	return nil
}

// SavedItems lists the person's saved item IDs, most recently saved first
// (by item ID among equal times).
func (s *Store) SavedItems(ctx context.Context, userID string) ([]string, error) {
	if userID == "" {
		return nil, fmt.Errorf("saved items: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	sig, err := s.signalsLocked(userID, false)
	if err != nil {
		return nil, fmt.Errorf("saved items: %w", err)
	}
	out := []string{}
	if sig == nil {
		return out, nil
	}
	for item := range sig.saved {
		out = append(out, item)
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(sig.saved[b].Compare(sig.saved[a]), strings.Compare(a, b))
	})
	return out, nil
}

// RecordFeedback records a vote (+1 or -1); a later vote on the same item
// replaces the earlier one.
func (s *Store) RecordFeedback(ctx context.Context, userID, itemID string, vote int, at time.Time) error {
	if err := content.ValidSignal(userID, itemID, at); err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	if vote != 1 && vote != -1 {
		return fmt.Errorf("record feedback: %w", invalid("vote %d is not +1 or -1", vote))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	sig, err := s.signalsLocked(userID, true)
	if err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	sig.votes[itemID] = vote
	return nil
}

// FeedbackScores returns the net votes by item across everyone, for every item
// anyone voted on (0 when the votes cancel out).
func (s *Store) FeedbackScores(ctx context.Context) (map[string]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	scores := map[string]int{}
	for userID := range s.signals {
		u, ok := s.users[userID]
		if !ok {
			delete(s.signals, userID)
			continue
		}
		if sig := s.liveSignalsLocked(userID, u); sig != nil {
			for item, v := range sig.votes {
				scores[item] += v
			}
		}
	}
	return scores, nil
}

// RecordClick records a tap on an item's apply or contact link.
func (s *Store) RecordClick(ctx context.Context, userID, itemID string, at time.Time) error {
	if err := content.ValidSignal(userID, itemID, at); err != nil {
		return fmt.Errorf("record click: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	sig, err := s.signalsLocked(userID, true)
	if err != nil {
		return fmt.Errorf("record click: %w", err)
	}
	s.clicks++
	c := click{at: normalize(at), seq: s.clicks}
	if old, ok := sig.clicks[itemID]; ok && old.at.After(c.at) {
		c.at = old.at // an earlier tap reported late does not move the item down
	}
	sig.clicks[itemID] = c
	return nil
}

// Clicks returns the items the person tapped through to, each once, the most
// recently tapped first (the later recorded among equal times).
func (s *Store) Clicks(ctx context.Context, userID string) ([]string, error) {
	if userID == "" {
		return nil, fmt.Errorf("clicks: %w", invalid("user ID is empty"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	sig, err := s.signalsLocked(userID, false)
	if err != nil {
		return nil, fmt.Errorf("clicks: %w", err)
	}
	out := []string{}
	if sig == nil {
		return out, nil
	}
	for item := range sig.clicks {
		out = append(out, item)
	}
	slices.SortFunc(out, func(a, b string) int {
		ca, cb := sig.clicks[a], sig.clicks[b]
		return cmp.Or(cb.at.Compare(ca.at), cmp.Compare(cb.seq, ca.seq))
	})
	return out, nil
}
