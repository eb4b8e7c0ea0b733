package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/richmenu"
	"github.com/paitor/paitor/bot/sender"
)

// withEnv makes getenv return env for the rest of the test. Tests using it
// must not run in parallel.
func withEnv(t *testing.T, env map[string]string) {
	t.Helper()
	old := getenv
	getenv = func(k string) string { return env[k] }
	t.Cleanup(func() { getenv = old })
}

// richMenuFake starts a fake LINE channel and points the environment at it.
func richMenuFake(t *testing.T) (*linefake.Server, *sender.Sender, context.Context) {
	t.Helper()
	fake := linefake.NewTest(t, linefake.Options{ChannelToken: "t"})
	withEnv(t, map[string]string{
		"LINE_CHANNEL_TOKEN":  "t",
		"LINE_CHANNEL_SECRET": "s",
		"LINE_API_URL":        fake.URL(),
		"LINE_DATA_API_URL":   fake.URL(),
	})
	s, err := sender.New(sender.Config{Token: "t", APIURL: fake.URL(), DataAPIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return fake, s, ctx
}

func runRichMenuOK(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := runRichMenu(ctx, args, &out, &errOut); err != nil {
		t.Fatalf("paitor richmenu %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

func TestRichMenuCommandInstallsTheMenus(t *testing.T) {
	fake, s, ctx := richMenuFake(t)

	for run := 1; run <= 2; run++ {
		out := runRichMenuOK(t, ctx)
		ids := map[string]string{}
		for _, alias := range []string{"paitor-youth", "paitor-parent"} {
			id, err := s.RichMenuIDByAlias(ctx, alias)
			if err != nil {
				t.Fatalf("run %d: alias %s: %v", run, alias, err)
			}
			ids[alias] = id
			role := strings.TrimPrefix(alias, "paitor-")
			if !strings.Contains(out, role+" ") || !strings.Contains(out, id) {
				t.Errorf("run %d: output does not give the %s menu's ID %s:\n%s", run, role, id, out)
			}
		}
		list, err := s.ListRichMenus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, m := range list {
			listed = append(listed, m.RichMenuId)
		}
		slices.Sort(listed)
		want := []string{ids["paitor-youth"], ids["paitor-parent"]}
		slices.Sort(want)
		if !slices.Equal(listed, want) {
			t.Errorf("run %d: the channel has menus %q, want only %q", run, listed, want)
		}
		if got := len(fake.CallsTo("richmenu.content")); got != 2*run {
			t.Errorf("run %d: %d image uploads in all, want %d", run, got, 2*run)
		}
	}
	if fake.DefaultRichMenu() != "" {
		t.Errorf("default rich menu %q set, want none", fake.DefaultRichMenu())
	}

	// The bot's linker finds the installed menus (images uploaded: linking
	// would fail otherwise).
	youth, _ := s.RichMenuIDByAlias(ctx, "paitor-youth")
	parent, _ := s.RichMenuIDByAlias(ctx, "paitor-parent")
	l := richmenu.NewLinker(s)
	u1, u2 := linefake.NewUserID(), linefake.NewUserID()
	if err := l.Link(ctx, u1, "youth"); err != nil {
		t.Fatal(err)
	}
	if err := l.Link(ctx, u2, "parent"); err != nil {
		t.Fatal(err)
	}
	if got := fake.RichMenuOf(u1); got != youth {
		t.Errorf("youth user has menu %q, want %q", got, youth)
	}
	if got := fake.RichMenuOf(u2); got != parent {
		t.Errorf("parent has menu %q, want %q", got, parent)
	}
}

func TestRichMenuCommandNeedsAToken(t *testing.T) {
	withEnv(t, map[string]string{})
	var out bytes.Buffer
	err := runRichMenu(context.Background(), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "LINE_CHANNEL_TOKEN is not set") || !strings.Contains(err.Error(), "-dry-run") {
		t.Errorf("without a token: %v, want it to say LINE_CHANNEL_TOKEN is not set", err)
	}
}

func TestRichMenuDryRunPrintsValidJSONWithoutLINE(t *testing.T) {
	fake, _, ctx := richMenuFake(t)
	withEnv(t, map[string]string{}) // no token needed
	out := runRichMenuOK(t, ctx, "-dry-run")
	if n := len(fake.Calls()); n != 0 {
		t.Fatalf("dry run made %d calls to LINE", n)
	}
	blocks := strings.Split(out, "# ")[1:]
	if len(blocks) != 2 || !strings.HasPrefix(blocks[0], "youth") || !strings.HasPrefix(blocks[1], "parent") {
		t.Fatalf("dry run printed %d menus, want youth then parent:\n%s", len(blocks), out)
	}
	for _, b := range blocks {
		head, body, _ := strings.Cut(b, "\n")
		if !strings.Contains(head, "alias paitor-") || !strings.Contains(head, "image/png") {
			t.Errorf("header %q lacks the alias or image", head)
		}
		var req struct {
			Name  string
			Areas []struct{ Action struct{ Type, Text string } }
		}
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, body)
		}
		if len(req.Areas) != 6 || req.Areas[0].Action.Type != "message" || req.Areas[0].Action.Text == "" {
			t.Errorf("menu %s: areas %+v, want 6 message actions", req.Name, req.Areas)
		}
		// LINE's own schema accepts it.
		hreq, _ := http.NewRequestWithContext(ctx, http.MethodPost, fake.URL()+"/v2/bot/richmenu/validate", strings.NewReader(body))
		hreq.Header.Set("Authorization", "Bearer t")
		hreq.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(hreq)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("menu %s: validate answered %d", req.Name, res.StatusCode)
		}
	}
	if !strings.Contains(out, `"text": "หาคอร์ส/งาน"`) || !strings.Contains(out, `"chatBarText": "เมนูผู้ปกครอง"`) {
		t.Errorf("dry run output lacks the Thai texts:\n%s", out)
	}
}

func TestRichMenuCommandHelp(t *testing.T) {
	var out bytes.Buffer
	if err := runRichMenu(context.Background(), []string{"-h"}, &out, &out); err != nil {
		t.Fatalf("-h: %v", err)
	}
	if !strings.Contains(out.String(), "Usage: paitor richmenu") || !strings.Contains(out.String(), "-dry-run") {
		t.Errorf("help:\n%s", out.String())
	}
	if err := runRichMenu(context.Background(), []string{"-bogus"}, &out, &out); err != errUsage {
		t.Errorf("unknown flag: %v, want errUsage", err)
	}
}
