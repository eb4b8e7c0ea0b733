package linefake

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestEmbeddedSpecsMatchShared checks the embedded copies against the
// shared originals, when those are present.
func TestEmbeddedSpecsMatchShared(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "line-openapi")
	if _, err := os.Stat(shared); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not present", shared)
	}
	for _, name := range []string{"messaging-api.yml", "webhook.yml", "LICENSE"} {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(shared, name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := specFS.ReadFile("openapi/" + name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("embedded openapi/%s differs from %s: copy it again", name, shared)
			}
		})
	}
}

func TestSpecsLoadOnce(t *testing.T) {
	a, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := loadSpecs()
	if a != b {
		t.Error("specs parsed twice")
	}
	for _, name := range []string{"ReplyMessageRequest", "PushMessageRequest", "MulticastRequest", "NarrowcastRequest",
		"BroadcastRequest", "RichMenuRequest", "ShowLoadingAnimationRequest", "RichMenuBulkLinkRequest",
		"CreateRichMenuAliasRequest", "UpdateRichMenuAliasRequest"} {
		if a.messagingSchema(name) == nil {
			t.Errorf("schema %s missing", name)
		}
	}
	if a.webhookSchema("CallbackRequest") == nil {
		t.Error("CallbackRequest missing")
	}
}
