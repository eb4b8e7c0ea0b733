package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/paitor/paitor/content"
)

// sessionStore keeps console sessions and one-time sign-in links in Redis,
// under its prefix:
//
//	sess:<sha256(session ID)>   JSON {counsellor ID, CSRF token, expiry}, expiring with the session
//	of:<counsellor ID>          set of that counsellor's session keys (to revoke them all)
//	link:<sha256(link token)>   counsellor ID, read and deleted at once (GETDEL), LinkTTL
//
// Only hashes of the secrets are keys, so reading Redis does not hand out
// sessions. Every command touches one key (Redis Cluster safe).
type sessionStore struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
	now    func() time.Time
}

// session is one signed-in browser.
type session struct {
	ID           string    `json:"-"` // the cookie's value (random 32 bytes, base64url)
	CounsellorID string    `json:"c"`
	CSRF         string    `json:"csrf"` // sent back with every POST
	Expires      time.Time `json:"exp"`
}

// errNoSession is an unknown, expired or ended session (or a used link).
var errNoSession = content.Errorf(content.EUNAUTHORIZED, "no such session")

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (s *sessionStore) sessionKey(id string) string { return s.prefix + "sess:" + hashKey(id) }
func (s *sessionStore) indexKey(cid string) string  { return s.prefix + "of:" + cid }
func (s *sessionStore) linkKey(tok string) string   { return s.prefix + "link:" + hashKey(tok) }

// create starts a session for a counsellor.
func (s *sessionStore) create(ctx context.Context, counsellorID string) (session, error) {
	id, err := randomToken(32)
	if err != nil {
		return session{}, err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return session{}, err
	}
	ss := session{ID: id, CounsellorID: counsellorID, CSRF: csrf, Expires: s.now().Add(s.ttl).Truncate(time.Second)}
	data, err := json.Marshal(ss)
	if err != nil {
		return session{}, err
	}
	key := s.sessionKey(id)
	if err := s.rdb.Set(ctx, key, data, s.ttl).Err(); err != nil {
		return session{}, fmt.Errorf("console: store session: %w", err)
	}
	idx := s.indexKey(counsellorID)
	pipe := s.rdb.Pipeline()
	pipe.SAdd(ctx, idx, key)
	pipe.Expire(ctx, idx, s.ttl)
	if _, err := pipe.Exec(ctx); err != nil {
		return session{}, fmt.Errorf("console: index session: %w", err)
	}
	return ss, nil
}

// get returns a live session, or errNoSession.
func (s *sessionStore) get(ctx context.Context, id string) (session, error) {
	if id == "" {
		return session{}, errNoSession
	}
	data, err := s.rdb.Get(ctx, s.sessionKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return session{}, errNoSession
	}
	if err != nil {
		return session{}, fmt.Errorf("console: read session: %w", err)
	}
	var ss session
	if err := json.Unmarshal(data, &ss); err != nil || ss.CounsellorID == "" || ss.CSRF == "" {
		return session{}, errNoSession
	}
	if !s.now().Before(ss.Expires) {
		return session{}, errNoSession
	}
	ss.ID = id
	return ss, nil
}

// end deletes a session.
func (s *sessionStore) end(ctx context.Context, ss session) error {
	key := s.sessionKey(ss.ID)
	if err := s.rdb.Del(ctx, key).Err(); err != nil {
		return fmt.Errorf("console: end session: %w", err)
	}
	return s.rdb.SRem(ctx, s.indexKey(ss.CounsellorID), key).Err()
}

// revokeAll deletes every session of a counsellor.
func (s *sessionStore) revokeAll(ctx context.Context, counsellorID string) error {
	idx := s.indexKey(counsellorID)
	keys, err := s.rdb.SMembers(ctx, idx).Result()
	if err != nil {
		return fmt.Errorf("console: list sessions: %w", err)
	}
	pipe := s.rdb.Pipeline()
	for _, k := range keys {
		pipe.Del(ctx, k)
	}
	pipe.Del(ctx, idx)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("console: revoke sessions: %w", err)
	}
	return nil
}

// createLink stores a one-time sign-in token for a counsellor.
func (s *sessionStore) createLink(ctx context.Context, counsellorID string) (string, error) {
	tok, err := randomToken(32)
	if err != nil {
		return "", err
	}
	if err := s.rdb.Set(ctx, s.linkKey(tok), counsellorID, LinkTTL).Err(); err != nil {
		return "", fmt.Errorf("console: store sign-in link: %w", err)
	}
	return tok, nil
}

// useLink returns the counsellor of a one-time token and deletes it, or
// errNoSession when it is unknown, expired or used.
func (s *sessionStore) useLink(ctx context.Context, tok string) (string, error) {
	if tok == "" || len(tok) > 128 {
		return "", errNoSession
	}
	id, err := s.rdb.GetDel(ctx, s.linkKey(tok)).Result()
	if errors.Is(err, redis.Nil) {
		return "", errNoSession
	}
	if err != nil {
		return "", fmt.Errorf("console: use sign-in link: %w", err)
	}
	return id, nil
}
