package content

import (
	"errors"
	"fmt"
)

// Error codes shared by every store and mapped to HTTP statuses in one place by the
// HTTP layer (see benbjohnson/wtf for the idea).
const (
	ENOTFOUND     = "not_found"    // the object does not exist (or is not yours to see)
	EINVALID      = "invalid"      // the input failed validation
	ECONFLICT     = "conflict"     // the object exists already or changed underneath
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // credentials lack the role
	EINTERNAL     = "internal"     // anything else
)

// Error is a domain error with a machine-readable code and a message safe to show.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// IsNotFound reports whether err carries ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }
