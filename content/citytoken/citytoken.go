// Package citytoken makes and hashes the secrets of city API tokens, so that
// `paitor token create` and the admin API agree on both. A secret is "pt_"
// and 32 random bytes in unpadded base64url; only its hex SHA-256 is stored
// (content.Token.Hash) and looked up (content.CityStore.TokenByHash).
package citytoken

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Prefix starts every secret, so a leaked one is recognizable (and secret
// scanners can look for it).
const Prefix = "pt_"

// secretBytes is how much randomness a secret carries.
const secretBytes = 32

// NewSecret returns a fresh random secret: Prefix and 43 base64url characters.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("citytoken: random secret: %w", err)
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret returns what is stored for a secret: the lower-case hex SHA-256
// of the whole secret, prefix included, byte for byte (a caller reading a
// secret from a header or a paste trims it first).
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// LooksLikeSecret reports whether s has the shape NewSecret gives secrets, a
// cheap check before any lookup.
func LooksLikeSecret(s string) bool {
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(secretBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}
