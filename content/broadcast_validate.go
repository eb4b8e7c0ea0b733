package content

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// MaxChunkRecipients is how many people one chunk (one LINE multicast) holds.
const MaxChunkRecipients = 500

// ValidChunks checks new chunks of broadcasts (pending, 1 to 500 recipients,
// no (announcement, seq) twice; EINVALID otherwise) and returns copies sorted
// by announcement and sequence, announcement IDs canonical and empty retry
// keys filled with fresh UUIDs.
func ValidChunks(chunks []Chunk) ([]Chunk, error) {
	out := make([]Chunk, len(chunks))
	for i, c := range chunks {
		id, err := uuid.Parse(c.AnnouncementID)
		if err != nil {
			return nil, Errorf(EINVALID, "announcement ID %q is not a UUID", c.AnnouncementID)
		}
		key := uuid.New()
		if c.RetryKey != "" {
			if key, err = uuid.Parse(c.RetryKey); err != nil {
				return nil, Errorf(EINVALID, "retry key %q is not a UUID", c.RetryKey)
			}
		}
		switch {
		case c.Seq < 0 || c.Seq > math.MaxInt32:
			return nil, Errorf(EINVALID, "chunk %s/%d: sequence number out of range", id, c.Seq)
		case len(c.Recipients) == 0 || len(c.Recipients) > MaxChunkRecipients:
			return nil, Errorf(EINVALID, "chunk %s/%d has %d recipients, not 1 to %d", id, c.Seq, len(c.Recipients), MaxChunkRecipients)
		case c.Status != "" && c.Status != "pending":
			return nil, Errorf(EINVALID, "chunk %s/%d: a new chunk is pending, not %q", id, c.Seq, c.Status)
		case slices.Contains(c.Recipients, ""):
			return nil, Errorf(EINVALID, "chunk %s/%d: empty recipient", id, c.Seq)
		}
		out[i] = Chunk{AnnouncementID: id.String(), Seq: c.Seq, Recipients: slices.Clone(c.Recipients), RetryKey: key.String(), Status: "pending"}
	}
	slices.SortFunc(out, func(a, b Chunk) int {
		return cmp.Or(strings.Compare(a.AnnouncementID, b.AnnouncementID), cmp.Compare(a.Seq, b.Seq))
	})
	for i := 1; i < len(out); i++ {
		if out[i].AnnouncementID == out[i-1].AnnouncementID && out[i].Seq == out[i-1].Seq {
			return nil, Errorf(EINVALID, "chunk %s/%d appears twice", out[i].AnnouncementID, out[i].Seq)
		}
	}
	return out, nil
}

// ValidSignal checks a saved item, vote or tap-through (EINVALID).
func ValidSignal(userID, itemID string, at time.Time) error {
	switch {
	case userID == "":
		return Errorf(EINVALID, "user ID is empty")
	case itemID == "":
		return Errorf(EINVALID, "item ID is empty")
	case at.IsZero():
		return Errorf(EINVALID, "time is zero")
	}
	return nil
}
