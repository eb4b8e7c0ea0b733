package citytoken_test

import (
	"regexp"
	"testing"

	"github.com/paitor/paitor/content/citytoken"
)

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	shape := regexp.MustCompile(`^pt_[A-Za-z0-9_-]{43}$`)
	for range 100 {
		s, err := citytoken.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(s) || !citytoken.LooksLikeSecret(s) {
			t.Fatalf("secret %q has the wrong shape", s)
		}
		if seen[s] {
			t.Fatalf("secret %q made twice", s)
		}
		seen[s] = true
	}
}

func TestHashSecret(t *testing.T) {
	// sha256 of "pt_example", in lower-case hex.
	const want = "e5b1fcd59d0aaeb5d94ec09097fa6ec78b30b34fc61d426ebb29b5036bbc5f79"
	got := citytoken.HashSecret("pt_example")
	if got != want {
		t.Fatalf("HashSecret = %q, want %q", got, want)
	}
	if got == citytoken.HashSecret("pt_example2") {
		t.Error("different secrets hash alike")
	}
}

func TestLooksLikeSecret(t *testing.T) {
	for _, s := range []string{"", "pt_", "pt_short", "xx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "pt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+"} {
		if citytoken.LooksLikeSecret(s) {
			t.Errorf("LooksLikeSecret(%q) = true", s)
		}
	}
}
