// Package logs keeps personal data out of Pai Tor's logs: a LINE user ID is
// written as a short one-way tag, never in clear.
package logs

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashID returns a short, stable, non-reversible tag for a LINE ID, for logs:
// the same person has the same tag in every line, and the tag does not lead
// back to them.
func HashID(id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("paitor-log:" + id))
	return hex.EncodeToString(sum[:6])
}
