package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// paitor understand prints, for each phrase, the layer that placed it and
// what it chose, marks it against the expected intent, and totals.
func TestUnderstandPrintsLayersAndTotals(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "") // the layers without a model
	csv := "phrase,expected_intent\n" +
		"ขอดูแผนของฉันหน่อย,my_plan\n" +
		"แผนของฉัน,my_plan\n" +
		"อยากตาย,\n" +
		"เหงามาก ไม่มีใครเข้าใจเลย,lonely\n" +
		"\"อยากเรียนทำขนม, ที่เชียงใหม่\",find_course\n" +
		"ฝนตกไหมวันนี้,none\n" +
		"ขอดูแผนของฉัน,festivals\n"
	file := filepath.Join(t.TempDir(), "phrases.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"understand", "-f", file}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []struct{ layer, ok string }{
		{"intent", "✓"}, {"command", "✓"}, {"crisis", ""}, {"intent", "✓"}, {"", "✓"}, {"none", "✓"}, {"intent", "✗"},
	}
	for i, w := range want {
		cols := strings.Split(lines[i+1], "\t")
		if len(cols) != 5 {
			t.Fatalf("line %q: want 5 tab-separated columns", lines[i+1])
		}
		if (w.layer != "" && cols[0] != w.layer) || cols[3] != w.ok {
			t.Errorf("line %d %q: layer %q ok %q, want %q %q", i+1, cols[4], cols[0], cols[3], w.layer, w.ok)
		}
	}
	if !strings.Contains(out.String(), "placed as expected: 5 of 6") {
		t.Errorf("totals missing or wrong:\n%s", out.String())
	}
}
