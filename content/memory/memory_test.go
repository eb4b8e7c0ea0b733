package memory_test

import (
	"testing"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/memory"
	"github.com/paitor/paitor/content/storetest"
)

func TestStore(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T) content.Store { return memory.New() })
}

// TestStoreShared hands every subtest the same store, as the suite allows.
func TestStoreShared(t *testing.T) {
	shared := memory.New()
	storetest.TestStore(t, func(t *testing.T) content.Store { return shared })
}
