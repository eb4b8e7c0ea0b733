package tickets

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/content"
)

// Linking a counsellor's own LINE account, to be told of new tickets there:
// the console gives a one-time code, the counsellor sends it to Pai Tor in
// LINE ("เชื่อมบัญชี K7Q2PM"), and the bot links the account that sent it.

// LinkCodeTTL is how long a link code works.
const LinkCodeTTL = 15 * time.Minute

// linkAlphabet leaves out letters and digits people confuse (0/O, 1/I/L).
const linkAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func (s *Service) linkKey(code string) string { return s.cfg.Prefix + "tickets:link:" + code }

// LinkCode returns a fresh one-time code for the counsellor to send to Pai
// Tor in LINE within LinkCodeTTL.
func (s *Service) LinkCode(ctx context.Context, c content.Counsellor) (string, error) {
	for range 5 {
		var sb strings.Builder
		for range 6 {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(linkAlphabet))))
			if err != nil {
				return "", err
			}
			sb.WriteByte(linkAlphabet[n.Int64()])
		}
		ok, err := s.cfg.Redis.SetNX(ctx, s.linkKey(sb.String()), c.ID, LinkCodeTTL).Result()
		if err != nil {
			return "", fmt.Errorf("tickets: link code: %w", err)
		}
		if ok {
			return sb.String(), nil
		}
	}
	return "", fmt.Errorf("tickets: no free link code after 5 tries")
}

// LinkLine links the LINE account that sent a code to the counsellor the
// code was made for; the code works once. ENOTFOUND for an unknown or
// expired code, ECONFLICT when that LINE account is linked to another
// counsellor already.
func (s *Service) LinkLine(ctx context.Context, code, lineUserID string) (content.Counsellor, error) {
	code = strings.ToUpper(strings.Join(strings.Fields(code), ""))
	id, err := s.cfg.Redis.GetDel(ctx, s.linkKey(code)).Result()
	if err == redis.Nil {
		return content.Counsellor{}, content.Errorf(content.ENOTFOUND, "no such link code")
	}
	if err != nil {
		return content.Counsellor{}, fmt.Errorf("tickets: link code: %w", err)
	}
	c, err := s.cfg.Store.Counsellor(ctx, id)
	if err != nil {
		return content.Counsellor{}, err
	}
	c.LineUserID = lineUserID
	if err := s.cfg.Store.UpdateCounsellor(ctx, c); err != nil {
		return content.Counsellor{}, err
	}
	return c, nil
}
