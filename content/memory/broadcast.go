package memory

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paitor/paitor/content"
)

// Sizes of the broadcast reads.
const (
	audiencePage = 256 // users StreamAudience looks at under the lock at a time
)

// Chunk statuses.
const (
	chunkPending = "pending"
	chunkSent    = "sent"
	chunkFailed  = "failed"
)

type chunkKey struct {
	announcementID string
	seq            int
}

// chunk is a stored chunk: count stays when PruneChunks empties Recipients,
// finishedAt is when its outcome (sent or failed) was recorded.
type chunk struct {
	content.Chunk
	count      int
	finishedAt time.Time
}

type skipped struct{ blocked, optedOut, capped int }

type tapKey struct{ announcementID, userID, button string }

// ---- Audience ----

// profileAge is what PostgreSQL's generated profiles.age column holds: the
// age field when it is 1 to 3 digits, else unknown.
var profileAge = regexp.MustCompile(`^[0-9]{1,3}$`)

// matches reports whether a user with this profile and role is in the
// audience (see StreamAudience). A user without a profile never is.
func matches(a content.Audience, profile map[string]string, role content.Role) bool {
	if profile == nil {
		return false
	}
	province, district := profile["province"], profile["district"]
	if !slices.Contains(a.Provinces, province) {
		return false
	}
	if len(a.Districts) > 0 && (district == "" || !slices.Contains(a.Districts, province+"/"+district)) {
		return false
	}
	if a.AgeMin > 0 || a.AgeMax > 0 {
		v := profile["age"]
		if !profileAge.MatchString(v) {
			return false
		}
		age, _ := strconv.Atoi(v)
		if (a.AgeMin > 0 && age < a.AgeMin) || (a.AgeMax > 0 && age > a.AgeMax) {
			return false
		}
	}
	if len(a.Roles) > 0 && !slices.Contains(a.Roles, string(role)) {
		return false
	}
	if len(a.Interests) > 0 {
		found := false
		for _, i := range strings.Split(profile["interests"], ",") {
			if slices.Contains(a.Interests, strings.TrimSpace(i)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// StreamAudience calls fn for every user matching the audience, in user ID
// order: users who follow Pai Tor, and those who blocked it (Blocked set). A
// user matches when their profile's province is one of a.Provinces
// (required), "province/district" one of a.Districts if any are given, the
// profile's age within the bounds that are set (an unknown age never is),
// their role one of a.Roles if any, and their profile's interests (a comma
// list) share one with a.Interests if any. It takes the sorted user IDs, then
// looks at them a page at a time under the lock; fn runs without it, and an
// error from fn stops the stream and is returned as is.
func (s *Store) StreamAudience(ctx context.Context, a content.Audience, fn func(content.Recipient) error) error {
	if len(a.Provinces) == 0 {
		return fmt.Errorf("stream audience: %w", invalid("audience has no provinces"))
	}
	if err := content.ValidAudience(a); err != nil {
		return fmt.Errorf("stream audience: %w", err)
	}
	s.mu.Lock()
	ids := slices.Sorted(maps.Keys(s.users))
	s.mu.Unlock()

	page := make([]content.Recipient, 0, audiencePage)
	for start := 0; start < len(ids); start += audiencePage {
		page = page[:0]
		s.mu.Lock()
		for _, id := range ids[start:min(start+audiencePage, len(ids))] {
			u, ok := s.users[id]
			if !ok || !matches(a, s.profiles[id], u.Role) {
				continue
			}
			var settings map[string]string
			if len(s.settings[id]) > 0 {
				settings = maps.Clone(s.settings[id])
			}
			page = append(page, content.Recipient{UserID: id, Blocked: u.Status == content.StatusBlocked, Settings: settings})
		}
		s.mu.Unlock()
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- Chunks ----

// SaveChunks stores new chunks of broadcasts, pending. A chunk already stored
// (same announcement and sequence number) is left as it is, retry key and
// status included. Every chunk is checked first: on EINVALID or ENOTFOUND (an
// unknown announcement) nothing is written.
//
// Chunk recipient lists are kept without regard to DeleteUser: they are what
// makes delivery exactly-once after a crash, and PruneChunks empties them once
// a chunk has been finished for 30 days.
func (s *Store) SaveChunks(ctx context.Context, chunks []content.Chunk) error {
	chunks, err := content.ValidChunks(chunks)
	if err != nil {
		return fmt.Errorf("save chunks: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.citiesLocked()

	for _, c := range chunks {
		if _, ok := s.announcements[c.AnnouncementID]; !ok {
			return fmt.Errorf("save chunks: %w", notFound("announcement %s not found", c.AnnouncementID))
		}
	}
	for _, c := range chunks {
		k := chunkKey{c.AnnouncementID, c.Seq}
		if _, ok := s.chunks[k]; !ok {
			s.chunks[k] = &chunk{Chunk: c, count: len(c.Recipients)}
		}
	}
	return nil
}

// Chunk returns one chunk of a broadcast, or ENOTFOUND. A pruned chunk has
// no recipients.
func (s *Store) Chunk(ctx context.Context, announcementID string, seq int) (content.Chunk, error) {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return content.Chunk{}, fmt.Errorf("find chunk: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	c, ok := s.chunks[chunkKey{id, seq}]
	if !ok {
		return content.Chunk{}, fmt.Errorf("find chunk: %w", notFound("chunk %s/%d not found", id, seq))
	}
	out := c.Chunk
	out.Recipients = list(out.Recipients)
	return out, nil
}

// FinishChunk records an attempt's outcome: "sent" (SentAt becomes at) or
// "failed" (with errText), counting the attempt. A failed chunk may be
// finished again (a retry); a sent one is final: finishing it as sent again
// changes nothing, as failed is ECONFLICT. ENOTFOUND for an unknown chunk.
func (s *Store) FinishChunk(ctx context.Context, announcementID string, seq int, status, errText string, at time.Time) error {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return fmt.Errorf("finish chunk: %w", err)
	}
	switch {
	case status != chunkSent && status != chunkFailed:
		return fmt.Errorf("finish chunk: %w", invalid("status %q is not sent or failed", status))
	case at.IsZero():
		return fmt.Errorf("finish chunk: %w", invalid("finish time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	c, ok := s.chunks[chunkKey{id, seq}]
	switch {
	case !ok:
		return fmt.Errorf("finish chunk: %w", notFound("chunk %s/%d not found", id, seq))
	case c.Status == chunkSent && status == chunkSent:
		return nil
	case c.Status == chunkSent:
		return fmt.Errorf("finish chunk: %w", conflict("chunk %s/%d is sent already", id, seq))
	}
	c.Status, c.Error, c.finishedAt = status, errText, normalize(at)
	c.Attempts++
	c.SentAt = time.Time{}
	if status == chunkSent {
		c.SentAt = c.finishedAt
	}
	return nil
}

// SetSkipped records how many of the audience were left out, by reason,
// replacing earlier figures. ENOTFOUND for an unknown announcement.
func (s *Store) SetSkipped(ctx context.Context, announcementID string, blocked, optedOut, capped int) error {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return fmt.Errorf("set skipped: %w", err)
	}
	if blocked < 0 || optedOut < 0 || capped < 0 {
		return fmt.Errorf("set skipped: %w", invalid("negative count"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.citiesLocked()

	if _, ok := s.announcements[id]; !ok {
		return fmt.Errorf("set skipped: %w", notFound("announcement %s not found", id))
	}
	s.skips[id] = skipped{blocked, optedOut, capped}
	return nil
}

// RecordTap counts a person's tap on one of an announcement's buttons, once
// per person and button. ENOTFOUND for an unknown announcement or user.
func (s *Store) RecordTap(ctx context.Context, announcementID, userID, button string, at time.Time) error {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return fmt.Errorf("record tap: %w", err)
	}
	switch {
	case userID == "":
		return fmt.Errorf("record tap: %w", invalid("user ID is empty"))
	case button == "":
		return fmt.Errorf("record tap: %w", invalid("button is empty"))
	case at.IsZero():
		return fmt.Errorf("record tap: %w", invalid("tap time is zero"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.citiesLocked()

	if _, ok := s.announcements[id]; !ok {
		return fmt.Errorf("record tap: %w", notFound("announcement %s not found", id))
	}
	if err := s.userLocked(userID); err != nil {
		return fmt.Errorf("record tap: %w", err)
	}
	k := tapKey{id, userID, button}
	if _, ok := s.taps[k]; !ok {
		s.taps[k] = normalize(at)
	}
	return nil
}

// Stats returns an announcement's delivery figures: recipients by chunk
// status (from the stored counts, so pruned chunks still count), the skipped
// and the taps. ENOTFOUND for an unknown announcement.
func (s *Store) Stats(ctx context.Context, announcementID string) (content.BroadcastStats, error) {
	id, err := parseUUID("announcement ID", announcementID)
	if err != nil {
		return content.BroadcastStats{}, fmt.Errorf("stats: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.announcements[id]; !ok {
		return content.BroadcastStats{}, fmt.Errorf("stats: %w", notFound("announcement %s not found", id))
	}
	var st content.BroadcastStats
	for k, c := range s.chunks {
		if k.announcementID != id {
			continue
		}
		st.Targeted += c.count
		switch c.Status {
		case chunkSent:
			st.Sent += c.count
		case chunkFailed:
			st.Failed += c.count
		default:
			st.Pending += c.count
		}
	}
	sk := s.skips[id]
	st.SkippedBlocked, st.SkippedOptedOut, st.SkippedCapped = sk.blocked, sk.optedOut, sk.capped
	for k := range s.taps {
		if k.announcementID == id {
			st.Taps++
		}
	}
	return st, nil
}

// PruneChunks empties the recipient lists of chunks finished (sent or failed)
// before olderThan, keeping their counts, and returns how many it emptied.
func (s *Store) PruneChunks(ctx context.Context, olderThan time.Time) (int, error) {
	if olderThan.IsZero() {
		return 0, fmt.Errorf("prune chunks: %w", invalid("time is zero"))
	}
	olderThan = normalize(olderThan)
	s.mu.Lock()
	defer s.mu.Unlock()

	n := 0
	for _, c := range s.chunks {
		if c.Status != chunkPending && len(c.Recipients) > 0 && c.finishedAt.Before(olderThan) {
			c.Recipients = nil
			n++
		}
	}
	return n, nil
}

// deleteTapsLocked forgets a person's taps (DeleteUser). s.mu must be held.
func (s *Store) deleteTapsLocked(userID string) {
	maps.DeleteFunc(s.taps, func(k tapKey, _ time.Time) bool { return k.userID == userID })
}
