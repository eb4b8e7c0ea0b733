package adminapi_test

import (
	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/memory"
)

// newStore is the store the tests run against: the embedded one.
func newStore() content.CityStore { return memory.New() }
