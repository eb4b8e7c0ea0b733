package queue

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Event is one inbound event to queue.
type Event struct {
	ID   string // the webhookEventId: the deduplication key
	Key  string // ordering key: events with the same key are handled in order
	Body []byte // the raw event JSON as LINE sent it
}

// enqueueScript deduplicates and appends atomically. KEYS are pairs of
// (dedup key, stream key); ARGV[1] is the dedup TTL in seconds, then triples of
// (event ID, ordering key, body). It returns one 1 (queued) or 0 (duplicate) per
// event.
var enqueueScript = redis.NewScript(`
local out = {}
for i = 1, #KEYS, 2 do
  local a = 2 + (i - 1) / 2 * 3
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('XADD', KEYS[i + 1], '*', 'id', ARGV[a], 'key', ARGV[a + 1], 'body', ARGV[a + 2])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
`)

// Enqueue deduplicates events by ID and durably appends the new ones to their
// partitions in one atomic step. It returns how many were new. When it returns an
// error nothing is known to be queued and the caller must not acknowledge.
func (q *Queue) Enqueue(ctx context.Context, events []Event) (queued int, err error) {
	if len(events) == 0 {
		return 0, nil
	}
	keys := make([]string, 0, 2*len(events))
	args := make([]any, 0, 1+3*len(events))
	args = append(args, strconv.Itoa(int(q.cfg.DedupTTL/time.Second)))
	for _, e := range events {
		if e.ID == "" {
			return 0, fmt.Errorf("queue: event without ID")
		}
		keys = append(keys, q.dedupKey(e.ID), q.streamKey(q.partition(e.Key, e.ID)))
		args = append(args, e.ID, e.Key, e.Body)
	}
	res, err := enqueueScript.Run(ctx, q.rdb, keys, args...).Int64Slice()
	if err != nil {
		return 0, fmt.Errorf("queue: enqueue %d events: %w", len(events), err)
	}
	for _, r := range res {
		queued += int(r)
	}
	return queued, nil
}

// partition maps an ordering key (or, without one, the event ID) to a partition.
func (q *Queue) partition(key, id string) int {
	if key == "" {
		key = id
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % uint32(q.cfg.Partitions))
}

func (q *Queue) dedupKey(id string) string { return q.cfg.Prefix + "dedup:" + id }
func (q *Queue) streamKey(p int) string    { return q.cfg.Prefix + "in:" + strconv.Itoa(p) }
func (q *Queue) leaseKey(p int) string     { return q.cfg.Prefix + "in:lease:" + strconv.Itoa(p) }
func (q *Queue) instancesKey() string      { return q.cfg.Prefix + "in:instances" }
func (q *Queue) deadKey() string           { return q.cfg.Prefix + "in:dead" }
