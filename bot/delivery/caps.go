package delivery

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// capTTL keeps a week's counter a little beyond the week.
const capTTL = 8 * 24 * time.Hour

// caps counts pushes per person per ISO week in Redis: one counter key per
// person and week ("<prefix>cap:2026-W09:U…"), read with one MGET per batch
// and incremented by one script call per chunk. (Multi-key commands, like the
// queue's scripts: a single Redis or a primary with replicas, not Cluster.)
type caps struct {
	rdb    redis.UniversalClient
	prefix string // ends with "cap:"
	limit  int
	zone   *time.Location
}

// week names t's ISO week in the engine's zone, e.g. "2026-W09".
func (c caps) week(t time.Time) string {
	y, w := t.In(c.zone).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

func (c caps) key(week, userID string) string { return c.prefix + week + ":" + userID }

func (c caps) keys(users []string, now time.Time) []string {
	week := c.week(now)
	keys := make([]string, len(users))
	for i, u := range users {
		keys[i] = c.key(week, u)
	}
	return keys
}

// over reports, for each user, whether they already had limit pushes in now's
// week.
func (c caps) over(ctx context.Context, users []string, now time.Time) ([]bool, error) {
	out := make([]bool, len(users))
	if len(users) == 0 {
		return out, nil
	}
	vals, err := c.rdb.MGet(ctx, c.keys(users, now)...).Result()
	if err != nil {
		return nil, fmt.Errorf("delivery: read weekly caps: %w", err)
	}
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue // no push this week
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("delivery: weekly cap %q: %w", s, err)
		}
		out[i] = n >= c.limit
	}
	return out, nil
}

// addScript increments each counter, giving new ones their lifetime.
var addScript = redis.NewScript(`
for _, k in ipairs(KEYS) do
  if redis.call('INCR', k) == 1 then
    redis.call('EXPIRE', k, ARGV[1])
  end
end
return #KEYS`)

// add counts one push for each user in now's week.
func (c caps) add(ctx context.Context, users []string, now time.Time) error {
	if len(users) == 0 {
		return nil
	}
	if err := addScript.Run(ctx, c.rdb, c.keys(users, now), int(capTTL/time.Second)).Err(); err != nil {
		return fmt.Errorf("delivery: count weekly caps: %w", err)
	}
	return nil
}
