package delivery

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// capTTL keeps a week's counters a little beyond the week.
	capTTL = 8 * 24 * time.Hour
	// capBuckets spreads a week's counters over this many hashes, so that no
	// hash gets huge and each write is one HINCRBY (the hash's TTL is set
	// once per bucket and chunk, not once per person).
	capBuckets = 64
)

// caps counts pushes per person per ISO week in Redis: a counter per person
// and week, kept as a field (the user ID) of one of capBuckets hashes of the
// week ("<prefix>cap:2026-W09:17"). Reading 1,000 people is one pipeline of
// HMGETs; counting a chunk is one pipeline of HINCRBYs.
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

// key is the hash holding userID's counter for a week.
func (c caps) key(week, userID string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(userID))
	return c.prefix + week + ":" + strconv.Itoa(int(h.Sum32()%capBuckets))
}

// byBucket groups users (their indexes) by the hash holding their counters.
func (c caps) byBucket(users []string, now time.Time) map[string][]int {
	week := c.week(now)
	out := map[string][]int{}
	for i, u := range users {
		k := c.key(week, u)
		out[k] = append(out[k], i)
	}
	return out
}

// over reports, for each user, whether they already had limit pushes in now's
// week.
func (c caps) over(ctx context.Context, users []string, now time.Time) ([]bool, error) {
	out := make([]bool, len(users))
	if len(users) == 0 {
		return out, nil
	}
	groups := c.byBucket(users, now)
	pipe := c.rdb.Pipeline()
	cmds := make(map[string]*redis.SliceCmd, len(groups))
	for k, idx := range groups {
		fields := make([]string, len(idx))
		for j, i := range idx {
			fields[j] = users[i]
		}
		cmds[k] = pipe.HMGet(ctx, k, fields...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("delivery: read weekly caps: %w", err)
	}
	for k, cmd := range cmds {
		for j, v := range cmd.Val() {
			s, ok := v.(string)
			if !ok {
				continue // no push this week
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("delivery: weekly cap %q: %w", s, err)
			}
			out[groups[k][j]] = n >= c.limit
		}
	}
	return out, nil
}

// add counts one push for each user in now's week.
func (c caps) add(ctx context.Context, users []string, now time.Time) error {
	if len(users) == 0 {
		return nil
	}
	pipe := c.rdb.Pipeline()
	for k, idx := range c.byBucket(users, now) {
		for _, i := range idx {
			pipe.HIncrBy(ctx, k, users[i], 1)
		}
		pipe.Expire(ctx, k, capTTL)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("delivery: count weekly caps: %w", err)
	}
	return nil
}
