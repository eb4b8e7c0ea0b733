package linefake

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// replyTokenTTL is how long an issued reply token stays valid.
const replyTokenTTL = time.Minute

// user is what the server knows about one user (or group/room) ID. It is
// kept small: a million-recipient multicast makes a million of them.
type user struct {
	id         string
	deliveries []int32 // indices into Server.deliveries
	extra      *userExtra
}

// userExtra holds the rarely set parts of a user.
type userExtra struct {
	name     string
	profile  bool // added with AddUser: the profile endpoint serves it
	richMenu string
}

// info returns the user's extra data (zero when unset).
func (u *user) info() userExtra {
	if u.extra == nil {
		return userExtra{}
	}
	return *u.extra
}

// more returns the user's extra data for writing, creating it.
func (u *user) more() *userExtra {
	if u.extra == nil {
		u.extra = &userExtra{}
	}
	return u.extra
}

// replyToken is one issued reply token.
type replyToken struct {
	userID  string
	expires time.Time
}

// NewUserID returns a fresh random LINE-style user ID: "U" + 32 lowercase hex digits.
func NewUserID() string {
	return "U" + randomHex(16)
}

// randomHex returns n random bytes as lowercase hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b)
}

// AddUser registers a user so the profile endpoint serves it and broadcast
// reaches it. Adding an existing user updates its display name.
func (s *Server) AddUser(userID, displayName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(userID)
	x := u.more()
	x.name = displayName
	x.profile = true
}

// userLocked returns the record for id, creating it. s.mu must be held.
func (s *Server) userLocked(id string) *user {
	u := s.users[id]
	if u == nil {
		u = &user{id: id}
		s.users[id] = u
		s.userOrder = append(s.userOrder, u)
	}
	return u
}

// IssueReplyToken returns a new reply token for userID, valid for one
// minute (per Options.Now) and usable once.
func (s *Server) IssueReplyToken(userID string) string {
	tok := randomHex(16)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userLocked(userID)
	s.replyTokens[tok] = replyToken{userID: userID, expires: s.opts.now().Add(replyTokenTTL)}
	return tok
}

// useReplyToken consumes tok and returns its user, or false when tok is
// unknown, used or expired. s.mu must be held.
func (s *Server) useReplyToken(tok string, now time.Time) (string, bool) {
	rt, ok := s.replyTokens[tok]
	if !ok {
		return "", false
	}
	delete(s.replyTokens, tok)
	if now.After(rt.expires) {
		return "", false
	}
	return rt.userID, true
}

// RichMenuOf returns the ID of the rich menu linked to userID ("" if none).
// It does not fall back to the default rich menu; see DefaultRichMenu.
func (s *Server) RichMenuOf(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[userID]; u != nil {
		return u.info().richMenu
	}
	return ""
}

// DefaultRichMenu returns the ID of the default rich menu ("" if none).
func (s *Server) DefaultRichMenu() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.defaultRichMenu
}
