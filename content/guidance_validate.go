package content

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MaxHandoffMessageLen is how many characters (Unicode code points) of one
// message a store keeps for the counsellor; the rest is cut.
const MaxHandoffMessageLen = 5000

// ValidHandoffMessage checks a message typed for a counsellor (EINVALID naming
// the field: an empty user ID, text that is not valid UTF-8, contains NUL or is
// blank, a zero time) and returns the text to keep: as typed, cut to
// MaxHandoffMessageLen characters. The error never holds the user ID or the
// text.
func ValidHandoffMessage(userID, text string, at time.Time) (string, error) {
	switch {
	case userID == "":
		return "", Errorf(EINVALID, "user ID is empty")
	case !utf8.ValidString(text):
		return "", Errorf(EINVALID, "text is not valid UTF-8")
	case strings.ContainsRune(text, 0):
		return "", Errorf(EINVALID, "text contains NUL")
	case strings.TrimSpace(text) == "":
		return "", Errorf(EINVALID, "text is empty")
	case at.IsZero():
		return "", Errorf(EINVALID, "message time is zero")
	}
	return cutRunes(text, MaxHandoffMessageLen), nil
}

// cutRunes returns the first n code points of s (s itself when shorter).
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
