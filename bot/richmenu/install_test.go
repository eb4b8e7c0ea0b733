package richmenu_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/richmenu"
	"github.com/paitor/paitor/bot/sender"
)

func setup(t *testing.T) (*linefake.Server, *sender.Sender, context.Context) {
	t.Helper()
	fake := linefake.NewTest(t, linefake.Options{ChannelToken: "t"})
	s, err := sender.New(sender.Config{
		Token: "t", APIURL: fake.URL(), DataAPIURL: fake.URL(),
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, InitialBackoff: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return fake, s, ctx
}

func load(t *testing.T) []richmenu.Menu {
	t.Helper()
	menus, err := richmenu.Load()
	if err != nil {
		t.Fatal(err)
	}
	return menus
}

func install(t *testing.T, ctx context.Context, s *sender.Sender) (map[string]string, string) {
	t.Helper()
	var out bytes.Buffer
	ids, err := richmenu.Install(ctx, s, load(t), &out)
	if err != nil {
		t.Fatalf("Install: %v\n%s", err, out.String())
	}
	return ids, out.String()
}

// listed returns the channel's menus by name.
func listed(t *testing.T, ctx context.Context, s *sender.Sender) map[string][]messaging_api.RichMenuResponse {
	t.Helper()
	list, err := s.ListRichMenus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]messaging_api.RichMenuResponse{}
	for _, m := range list {
		out[m.Name] = append(out[m.Name], m)
	}
	return out
}

func TestInstallPutsOneMenuPerRoleOnTheChannel(t *testing.T) {
	fake, s, ctx := setup(t)
	ids, out := install(t, ctx, s)
	if len(ids) != 2 || ids["youth"] == "" || ids["parent"] == "" || ids["youth"] == ids["parent"] {
		t.Fatalf("ids %v, want a youth and a parent menu", ids)
	}
	for role, id := range ids {
		if !strings.Contains(out, role+": rich menu "+id) {
			t.Errorf("output does not name the %s menu %s:\n%s", role, id, out)
		}
		alias := "paitor-" + role
		if got, err := s.RichMenuIDByAlias(ctx, alias); err != nil || got != id {
			t.Errorf("alias %s → %q, %v; want %q", alias, got, err, id)
		}
	}
	menus := listed(t, ctx, s)
	if len(menus) != 2 || len(menus["paitor-youth"]) != 1 || len(menus["paitor-parent"]) != 1 {
		t.Fatalf("channel has %v, want one paitor-youth and one paitor-parent", menus)
	}
	y := menus["paitor-youth"][0]
	if y.ChatBarText != "เมนูไปต่อ" || !y.Selected || y.Size.Width != 2500 || y.Size.Height != 1686 || len(y.Areas) != 6 {
		t.Errorf("youth menu %+v", y)
	}
	if a, ok := y.Areas[1].Action.(messaging_api.MessageAction); !ok || a.Text != "หาคอร์ส/งาน" || a.Label != "หาคอร์ส/งาน" {
		t.Errorf("second youth area's action %#v, want the message หาคอร์ส/งาน", y.Areas[1].Action)
	}
	if n := len(fake.CallsTo("richmenu.content")); n != 2 {
		t.Errorf("%d image uploads, want 2", n)
	}
	if fake.DefaultRichMenu() != "" {
		t.Errorf("a default rich menu was set: %s", fake.DefaultRichMenu())
	}
}

func TestInstallingAgainReplacesTheMenus(t *testing.T) {
	fake, s, ctx := setup(t)
	first, _ := install(t, ctx, s)
	// A menu of another name (made by hand in the console, say) stays.
	req := load(t)[0].Request()
	req.Name = "campaign"
	other, err := s.CreateRichMenu(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	user := linefake.NewUserID()
	l := richmenu.NewLinker(s)
	if err := l.Link(ctx, user, "youth"); err != nil {
		t.Fatal(err)
	}

	second, out := install(t, ctx, s)
	for role := range first {
		if second[role] == first[role] {
			t.Errorf("%s menu not replaced", role)
		}
		if !strings.Contains(out, role+": deleted the previous rich menu "+first[role]) {
			t.Errorf("output does not say the old %s menu was deleted:\n%s", role, out)
		}
	}
	menus := listed(t, ctx, s)
	if len(menus) != 3 || len(menus["paitor-youth"]) != 1 || len(menus["paitor-parent"]) != 1 ||
		menus["paitor-youth"][0].RichMenuId != second["youth"] || menus["paitor-parent"][0].RichMenuId != second["parent"] ||
		menus["campaign"][0].RichMenuId != other {
		t.Errorf("after two installs the channel has %v, want the new two and the campaign menu", menus)
	}

	// The linker's cached ID is gone; it finds the new menu.
	if fake.RichMenuOf(user) != "" {
		t.Fatalf("user still has deleted menu %s", fake.RichMenuOf(user))
	}
	if err := l.Link(ctx, user, "youth"); err != nil {
		t.Fatalf("Link after reinstall: %v", err)
	}
	if got := fake.RichMenuOf(user); got != second["youth"] {
		t.Errorf("user's menu %q, want the new youth menu %q", got, second["youth"])
	}
}

func TestInstallLeavesNoHalfMadeMenu(t *testing.T) {
	fake, s, ctx := setup(t)
	fake.Inject(linefake.Fault{Endpoint: "richmenu.content", Status: http.StatusBadRequest})
	_, err := richmenu.Install(ctx, s, load(t), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "youth menu: upload image") {
		t.Fatalf("Install with a refused upload: %v", err)
	}
	if menus := listed(t, ctx, s); len(menus) != 0 {
		t.Errorf("channel has %v after a failed install, want nothing", menus)
	}
}

func TestInstallChecksTheMenusFirst(t *testing.T) {
	fake, s, ctx := setup(t)
	menus := load(t)
	menus[1].ChatBarText = "เมนูสำหรับผู้ปกครองทุกท่าน"
	if _, err := richmenu.Install(ctx, s, menus, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "chatBarText") {
		t.Fatalf("Install with a long chat bar text: %v", err)
	}
	if n := len(fake.Calls()); n != 0 {
		t.Errorf("%d calls to LINE, want none", n)
	}
}

func TestLinkerShowsEachRoleItsMenu(t *testing.T) {
	fake, s, ctx := setup(t)
	ids, _ := install(t, ctx, s)
	l := richmenu.NewLinker(s)
	for _, tc := range []struct{ role, menu string }{{"youth", "youth"}, {"other", "youth"}, {"parent", "parent"}} {
		user := linefake.NewUserID()
		if err := l.Link(ctx, user, tc.role); err != nil {
			t.Fatalf("Link %s: %v", tc.role, err)
		}
		if got := fake.RichMenuOf(user); got != ids[tc.menu] {
			t.Errorf("a %s user has menu %q, want the %s menu %q", tc.role, got, tc.menu, ids[tc.menu])
		}
	}
	// Picking another role switches the menu.
	user := linefake.NewUserID()
	for _, role := range []string{"youth", "parent"} {
		if err := l.Link(ctx, user, role); err != nil {
			t.Fatal(err)
		}
	}
	if got := fake.RichMenuOf(user); got != ids["parent"] {
		t.Errorf("after youth then parent the user has %q, want %q", got, ids["parent"])
	}
	// Each alias was resolved once.
	if n := len(fake.CallsTo("richmenu.alias.get")); n != 2 {
		t.Errorf("%d alias look-ups for 5 links, want 2", n)
	}
	if err := l.Link(ctx, user, "teacher"); err == nil || errors.Is(err, richmenu.ErrNotInstalled) {
		t.Errorf("Link with an unknown role: %v", err)
	}
}

func TestLinkerWithoutInstalledMenus(t *testing.T) {
	fake, s, ctx := setup(t)
	l := richmenu.NewLinker(s)
	user := linefake.NewUserID()
	err := l.Link(ctx, user, "youth")
	if !errors.Is(err, richmenu.ErrNotInstalled) {
		t.Fatalf("Link before install: %v, want ErrNotInstalled", err)
	}
	if n := len(fake.CallsTo("richmenu.link")); n != 0 {
		t.Errorf("%d link calls, want none", n)
	}
	// Not remembered: once installed, linking works without a restart.
	ids, _ := install(t, ctx, s)
	if err := l.Link(ctx, user, "youth"); err != nil {
		t.Fatalf("Link after install: %v", err)
	}
	if got := fake.RichMenuOf(user); got != ids["youth"] {
		t.Errorf("user's menu %q, want %q", got, ids["youth"])
	}
}

func TestLinkerIsSafeForConcurrentUse(t *testing.T) {
	fake, s, ctx := setup(t)
	ids, _ := install(t, ctx, s)
	l := richmenu.NewLinker(s)
	users := make([]string, 20)
	errs := make(chan error, len(users))
	for i := range users {
		users[i] = linefake.NewUserID()
		role := []string{"youth", "parent"}[i%2]
		go func() { errs <- l.Link(ctx, users[i], role) }()
	}
	for range users {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, u := range users {
		want := ids[[]string{"youth", "parent"}[i%2]]
		if got := fake.RichMenuOf(u); got != want {
			t.Errorf("user %d has %q, want %q", i, got, want)
		}
	}
	if got := len(fake.CallsTo("richmenu.link")); got != len(users) {
		t.Errorf("%d link calls, want %d", got, len(users))
	}
}
