package content

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestValidHandoffMessage(t *testing.T) {
	when := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	thai := strings.Repeat("ก่", MaxHandoffMessageLen) // two code points each: a consonant and a tone mark
	tests := []struct {
		name   string
		userID string
		text   string
		at     time.Time
		want   string // kept text, when valid
		field  string // word the EINVALID message must name, when not
	}{
		{name: "kept as typed, spaces too", userID: "U1", text: "  ช่วยด้วย\n", at: when, want: "  ช่วยด้วย\n"},
		{name: "exactly the limit is kept whole", userID: "U1", text: strings.Repeat("a", MaxHandoffMessageLen), at: when, want: strings.Repeat("a", MaxHandoffMessageLen)},
		{name: "longer is cut to the limit", userID: "U1", text: strings.Repeat("a", MaxHandoffMessageLen+1), at: when, want: strings.Repeat("a", MaxHandoffMessageLen)},
		{name: "Thai is cut by characters, not bytes", userID: "U1", text: thai, at: when, want: thai[:len(thai)/2]},
		{name: "empty user ID", text: "hi", at: when, field: "user ID"},
		{name: "empty text", userID: "U1", text: "", at: when, field: "text"},
		{name: "blank text", userID: "U1", text: " \t\n\u3000", at: when, field: "text"},
		{name: "NUL", userID: "U1", text: "a\x00b", at: when, field: "text"},
		{name: "not UTF-8", userID: "U1", text: "a\xffb", at: when, field: "text"},
		{name: "zero time", userID: "U1", text: "hi", field: "time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidHandoffMessage(tt.userID, tt.text, tt.at)
			if tt.field != "" {
				if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), tt.field) {
					t.Fatalf("err = %v, want EINVALID naming %q", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got != tt.want {
				t.Errorf("kept %d characters (%q...), want %d", utf8.RuneCountInString(got), got[:min(len(got), 12)], utf8.RuneCountInString(tt.want))
			}
		})
	}
}
