package content

import "testing"

func TestFieldsIsTheFixedListAndACopy(t *testing.T) {
	if len(Fields()) != 14 {
		t.Errorf("Fields() has %d entries, want 14", len(Fields()))
	}
	fs := Fields()
	fs[0] = "changed"
	if Fields()[0] == "changed" {
		t.Error("Fields() returns the package's own slice: a caller could change the list for everyone")
	}
}
