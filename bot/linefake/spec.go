package linefake

import (
	"embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// specFS holds the LINE OpenAPI specifications (Apache-2.0, see openapi/LICENSE).
//
//go:embed openapi/messaging-api.yml openapi/webhook.yml openapi/LICENSE
var specFS embed.FS

// specs is the parsed form of the embedded specifications, shared by every Server.
type specs struct {
	messaging *openapi3.T
	webhook   *openapi3.T
}

var (
	specOnce   sync.Once
	specCached *specs
	specErr    error
)

// loadSpecs parses the embedded specifications once per process.
func loadSpecs() (*specs, error) {
	specOnce.Do(func() {
		m, err := loadSpec("openapi/messaging-api.yml")
		if err != nil {
			specErr = err
			return
		}
		w, err := loadSpec("openapi/webhook.yml")
		if err != nil {
			specErr = err
			return
		}
		specCached = &specs{messaging: m, webhook: w}
	})
	return specCached, specErr
}

// loadSpec reads and parses one embedded specification file.
func loadSpec(name string) (*openapi3.T, error) {
	data, err := specFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("linefake: read embedded %s: %w", name, err)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("linefake: parse %s: %w", name, err)
	}
	return doc, nil
}
