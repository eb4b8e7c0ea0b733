package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/content/thaitime"
)

// budgetTTL keeps a day's counters a little past the day (the day is in the
// key, so a new day starts from zero whatever the expiry).
const budgetTTL = 48 * time.Hour

// budget counts calls and tokens per person and for everyone per Thai day in
// Redis, shared by every instance. Keys:
//
//	PREFIX llm:{YYYYMMDD}:user:SHA256(id):calls|tokens
//	PREFIX llm:{YYYYMMDD}:all:calls|tokens
//
// The {day} hash tag keeps one day's keys in one Redis Cluster slot, for the
// script. The user ID is in the keys only as a hash.
type budget struct {
	rdb                       redis.UniversalClient
	prefix                    string
	userCalls, userTokens     int
	globalCalls, globalTokens int
}

// reserveScript refuses when a budget is spent, else counts the call for the
// person and for everyone, atomically. It returns "" or what is spent.
var reserveScript = redis.NewScript(`
local ucalls = tonumber(redis.call('GET', KEYS[1]) or '0')
local utokens = tonumber(redis.call('GET', KEYS[2]) or '0')
local gcalls = tonumber(redis.call('GET', KEYS[3]) or '0')
local gtokens = tonumber(redis.call('GET', KEYS[4]) or '0')
if utokens >= tonumber(ARGV[2]) then return 'person tokens' end
if ucalls >= tonumber(ARGV[1]) then return 'person calls' end
if gtokens >= tonumber(ARGV[4]) then return 'global tokens' end
if gcalls >= tonumber(ARGV[3]) then return 'global calls' end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[5])
return ''
`)

// dayOf is the Thai calendar day of t, as in the keys.
func dayOf(t time.Time) string { return t.In(thaitime.Zone).Format("20060102") }

// userKey hashes a LINE ID for the keys.
func userKey(id string) string {
	sum := sha256.Sum256([]byte("paitor-llm-budget:" + id))
	return hex.EncodeToString(sum[:16])
}

func (b budget) keys(day, userID string) (ucalls, utokens, gcalls, gtokens string) {
	base := b.prefix + "llm:{" + day + "}:"
	u := base + "user:" + userKey(userID) + ":"
	return u + "calls", u + "tokens", base + "all:calls", base + "all:tokens"
}

// reserve counts one call, or returns ErrBudget when a budget of the day is
// spent (calls reached, or tokens reached: a call may overshoot the token
// budget by its own tokens, never start past it). A Redis failure is
// ErrUnavailable: without the budget, no call.
func (b budget) reserve(ctx context.Context, day, userID string) error {
	uc, ut, gc, gt := b.keys(day, userID)
	why, err := reserveScript.Run(ctx, b.rdb, []string{uc, ut, gc, gt},
		b.userCalls, b.userTokens, b.globalCalls, b.globalTokens, int(budgetTTL/time.Second)).Text()
	if err != nil {
		return fmt.Errorf("%w: budget store: %w", ErrUnavailable, err)
	}
	if why != "" {
		return fmt.Errorf("%w: %s", ErrBudget, why)
	}
	return nil
}

// spend adds the tokens of a call to the person's and everyone's count.
func (b budget) spend(ctx context.Context, day, userID string, tokens int) error {
	if tokens <= 0 {
		return nil
	}
	_, ut, _, gt := b.keys(day, userID)
	_, err := b.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.IncrBy(ctx, ut, int64(tokens))
		p.Expire(ctx, ut, budgetTTL)
		p.IncrBy(ctx, gt, int64(tokens))
		p.Expire(ctx, gt, budgetTTL)
		return nil
	})
	return err
}
