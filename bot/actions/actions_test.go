package actions_test

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paitor/paitor/bot/actions"
	"github.com/paitor/paitor/bot/catalogcache"
	"github.com/paitor/paitor/bot/person"
	"github.com/paitor/paitor/bot/redisstate"
	"github.com/paitor/paitor/bot/redistest"
	"github.com/paitor/paitor/content/memory"
	"github.com/paitor/paitor/guidance"
	"github.com/paitor/paitor/guidance/intent"
)

// newActions builds the actions against a script, on the embedded store and
// Redis, as start-up does.
func newActions(t *testing.T, script *guidance.Script) (*actions.Actions, error) {
	t.Helper()
	store := memory.New()
	rd := redistest.Embedded(t)
	return actions.New(actions.Config{
		Store: store, State: redisstate.New(rd.Client, rd.Prefix), Script: script,
		Catalog: catalogcache.New(store, nil, nil), People: person.NewReader(store, nil),
	})
}

// loadWithIntents loads flows with the shipped intents (which lead into them).
func loadWithIntents(t *testing.T, fsys fs.FS, dir string) (*guidance.Script, error) {
	t.Helper()
	intents, err := intent.Load()
	if err != nil {
		t.Fatal(err)
	}
	return guidance.LoadScriptFSWith(fsys, dir, intents)
}

func TestEveryActionTheFlowsCallHasAHandlerAndNoHandlerIsUnused(t *testing.T) {
	script, err := guidance.LoadScript()
	if err != nil {
		t.Fatal(err)
	}
	a, err := newActions(t, script)
	if err != nil {
		t.Fatalf("the shipped flows and handlers disagree:\n%v", err)
	}
	called := script.EdgeActions()
	for _, name := range a.Names() {
		if _, ok := called[name]; !ok {
			t.Errorf("handler %q is registered but no flow calls it", name)
		}
	}
	if len(a.Names()) != len(called) {
		t.Errorf("%d handlers for %d actions the flows call", len(a.Names()), len(called))
	}
}

// flowsWithExtra is the shipped flows plus one more flow file, reachable by a
// command, so the script still validates.
func flowsWithExtra(t *testing.T, extra string) fstest.MapFS {
	t.Helper()
	src := os.DirFS("../../guidance")
	fsys := fstest.MapFS{}
	names, err := fs.Glob(src, "flows/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no flows found: %v", err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(src, n)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(n, "/commands.yaml") {
			b = append(b, "  - words: [ยิงจรวด]\n    goto: rockets.launch\n"...)
		}
		fsys[n] = &fstest.MapFile{Data: b}
	}
	fsys["flows/rockets.yaml"] = &fstest.MapFile{Data: []byte(extra)}
	return fsys
}

func TestAFlowCallingAnActionWithNoHandlerStopsStartUp(t *testing.T) {
	script, err := loadWithIntents(t, flowsWithExtra(t, `id: rockets
nodes:
  launch:
    say: [{th: กำลังยิงจรวด}]
    action: launch_rockets
    next: start.menu
`), "flows")
	if err != nil {
		t.Fatalf("the flows themselves should be valid: %v", err)
	}
	_, err = newActions(t, script)
	if err == nil {
		t.Fatal("start-up accepted a flow calling an action nobody handles")
	}
	if want := `rockets.launch calls action "launch_rockets", which has no handler`; !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v\nwant it to say %q", err, want)
	}
}

func TestAHandlerNoFlowCallsStopsStartUp(t *testing.T) {
	// Take away the only node that calls festival_detail: its handler is
	// then registered for nothing.
	src := os.DirFS("../../guidance")
	fsys := fstest.MapFS{}
	names, _ := fs.Glob(src, "flows/*.yaml")
	found := false
	for _, n := range names {
		b, _ := fs.ReadFile(src, n)
		s := string(b)
		if strings.Contains(s, "action: festival_detail") {
			s = strings.Replace(s, "action: festival_detail", "action: festival_remind", 1)
			found = true
		}
		fsys[n] = &fstest.MapFile{Data: []byte(s)}
	}
	if !found {
		t.Fatal("no flow calls festival_detail: pick another action for this test")
	}
	script, err := loadWithIntents(t, fsys, "flows")
	if err != nil {
		t.Fatal(err)
	}
	_, err = newActions(t, script)
	if err == nil || !strings.Contains(err.Error(), `action "festival_detail" has a handler but no flow calls it`) {
		t.Fatalf("error = %v, want start-up to refuse an unused handler", err)
	}
}
