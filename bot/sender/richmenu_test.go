package sender_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/paitor/paitor/bot/linefake"
	"github.com/paitor/paitor/bot/sender"
)

// These tests keep their own helpers (rm…) so they do not depend on the other
// test files of the package.

const rmToken = "t"

// rmSetup starts a strict fake LINE server and a sender pointed at it for both
// the API and the data API, with a 300 ms client timeout and short backoff.
func rmSetup(t *testing.T) (*linefake.Server, *sender.Sender, context.Context) {
	t.Helper()
	fake := linefake.NewTest(t, linefake.Options{ChannelToken: rmToken})
	s, err := sender.New(sender.Config{
		Token:          rmToken,
		APIURL:         fake.URL(),
		DataAPIURL:     fake.URL(),
		HTTPClient:     &http.Client{Timeout: 300 * time.Millisecond},
		InitialBackoff: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return fake, s, ctx
}

func rmRequest(name string) messaging_api.RichMenuRequest {
	return messaging_api.RichMenuRequest{
		Size:        &messaging_api.RichMenuSize{Width: 2500, Height: 843},
		Selected:    true,
		Name:        name,
		ChatBarText: "เมนูไปต่อ",
		Areas: []messaging_api.RichMenuArea{
			{Bounds: &messaging_api.RichMenuBounds{X: 0, Y: 0, Width: 1250, Height: 843},
				Action: &messaging_api.MessageAction{Label: "แนะแนว", Text: "แนะแนว"}},
			{Bounds: &messaging_api.RichMenuBounds{X: 1250, Y: 0, Width: 1250, Height: 843},
				Action: &messaging_api.MessageAction{Label: "ตั้งค่า", Text: "ตั้งค่า"}},
		},
	}
}

// rmPNG is a real 2500×843 PNG.
func rmPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2500, 843))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rmInstalled creates a menu with its image.
func rmInstalled(t *testing.T, ctx context.Context, s *sender.Sender, name string) string {
	t.Helper()
	id, err := s.CreateRichMenu(ctx, rmRequest(name))
	if err != nil {
		t.Fatalf("CreateRichMenu: %v", err)
	}
	if err := s.UploadRichMenuImage(ctx, id, "image/png", rmPNG(t)); err != nil {
		t.Fatalf("UploadRichMenuImage: %v", err)
	}
	return id
}

func rmStatuses(fake *linefake.Server, endpoint string) []int {
	var out []int
	for _, c := range fake.CallsTo(endpoint) {
		out = append(out, c.Status)
	}
	return out
}

func TestRichMenuLifecycle(t *testing.T) {
	t.Parallel()
	fake, s, ctx := rmSetup(t)

	first := rmInstalled(t, ctx, s, "paitor-youth")
	if _, err := s.RichMenuIDByAlias(ctx, "paitor-youth"); sender.StatusOf(err) != http.StatusNotFound {
		t.Fatalf("alias before it was set: %v, want status 404", err)
	}
	if err := s.SetRichMenuAlias(ctx, "paitor-youth", first); err != nil {
		t.Fatalf("SetRichMenuAlias (new alias): %v", err)
	}
	if got, err := s.RichMenuIDByAlias(ctx, "paitor-youth"); err != nil || got != first {
		t.Fatalf("alias resolves to %q, %v; want %q", got, err, first)
	}

	// Setting an existing alias moves it.
	second := rmInstalled(t, ctx, s, "paitor-youth")
	if err := s.SetRichMenuAlias(ctx, "paitor-youth", second); err != nil {
		t.Fatalf("SetRichMenuAlias (existing alias): %v", err)
	}
	if got, err := s.RichMenuIDByAlias(ctx, "paitor-youth"); err != nil || got != second {
		t.Fatalf("alias resolves to %q, %v; want %q", got, err, second)
	}
	if n := len(fake.CallsTo("richmenu.alias.create")); n != 1 {
		t.Errorf("%d alias creations, want 1 (then an update)", n)
	}

	user := linefake.NewUserID()
	if err := s.LinkRichMenu(ctx, user, second); err != nil {
		t.Fatalf("LinkRichMenu: %v", err)
	}
	if got := fake.RichMenuOf(user); got != second {
		t.Errorf("user's rich menu %q, want %q", got, second)
	}
	if fake.DefaultRichMenu() != "" {
		t.Errorf("default rich menu %q set, want none", fake.DefaultRichMenu())
	}

	list, err := s.ListRichMenus(ctx)
	if err != nil {
		t.Fatalf("ListRichMenus: %v", err)
	}
	var ids []string
	for _, m := range list {
		ids = append(ids, m.RichMenuId)
		if m.Name != "paitor-youth" || m.ChatBarText != "เมนูไปต่อ" || len(m.Areas) != 2 {
			t.Errorf("listed menu %+v does not match what was created", m)
		}
	}
	if !slices.Equal(ids, []string{first, second}) {
		t.Errorf("listed %q, want %q", ids, []string{first, second})
	}

	if err := s.DeleteRichMenu(ctx, first); err != nil {
		t.Fatalf("DeleteRichMenu: %v", err)
	}
	if err := s.DeleteRichMenu(ctx, first); sender.StatusOf(err) != http.StatusNotFound {
		t.Errorf("deleting a deleted menu: %v, want status 404", err)
	}
	if list, _ := s.ListRichMenus(ctx); len(list) != 1 || list[0].RichMenuId != second {
		t.Errorf("after delete the list is %+v, want only %s", list, second)
	}
}

func TestRichMenuLinkNeedsAnImage(t *testing.T) {
	t.Parallel()
	fake, s, ctx := rmSetup(t)
	id, err := s.CreateRichMenu(ctx, rmRequest("bare"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.LinkRichMenu(ctx, linefake.NewUserID(), id)
	if sender.StatusOf(err) != http.StatusBadRequest {
		t.Errorf("linking a menu without an image: %v, want status 400", err)
	}
	if got := rmStatuses(fake, "richmenu.link"); !slices.Equal(got, []int{400}) {
		t.Errorf("link answers %v, want one 400 (no retry of a 4xx)", got)
	}
}

func TestRichMenuCallsAreRetried(t *testing.T) {
	t.Parallel()
	fake, s, ctx := rmSetup(t)
	fake.Inject(linefake.Fault{Endpoint: "richmenu.create", Status: 500})
	fake.Inject(linefake.Fault{Endpoint: "richmenu.content", Status: 503})
	fake.Inject(linefake.Fault{Endpoint: "richmenu.link", Status: 429})
	id := rmInstalled(t, ctx, s, "retried")
	user := linefake.NewUserID()
	if err := s.LinkRichMenu(ctx, user, id); err != nil {
		t.Fatalf("LinkRichMenu: %v", err)
	}
	for ep, want := range map[string][]int{
		"richmenu.create":  {500, 200},
		"richmenu.content": {503, 200},
		"richmenu.link":    {429, 200},
	} {
		if got := rmStatuses(fake, ep); !slices.Equal(got, want) {
			t.Errorf("%s answers %v, want %v", ep, got, want)
		}
	}
	if fake.RichMenuOf(user) != id {
		t.Errorf("user's rich menu %q, want %q", fake.RichMenuOf(user), id)
	}
}

func TestRichMenuRetriesAfterLostAnswersSucceed(t *testing.T) {
	t.Parallel()
	fake, s, ctx := rmSetup(t)
	id, err := s.CreateRichMenu(ctx, rmRequest("lost"))
	if err != nil {
		t.Fatal(err)
	}

	// The image is stored but the answer comes after the client gave up: the
	// retry is refused as a second upload, which means the first one worked.
	fake.Inject(linefake.Fault{Endpoint: "richmenu.content", Delay: 600 * time.Millisecond, Deliver: true})
	if err := s.UploadRichMenuImage(ctx, id, "image/png", rmPNG(t)); err != nil {
		t.Fatalf("UploadRichMenuImage: %v", err)
	}
	if got := rmStatuses(fake, "richmenu.content"); !slices.Equal(got, []int{200, 400}) {
		t.Errorf("upload answers %v, want 200 (timed out) then 400 (already uploaded)", got)
	}
	// Without a lost answer, a second upload is an error.
	if err := s.UploadRichMenuImage(ctx, id, "image/png", rmPNG(t)); sender.StatusOf(err) != http.StatusBadRequest {
		t.Errorf("second upload: %v, want status 400", err)
	}

	// Likewise a delete whose answer was lost.
	fake.Inject(linefake.Fault{Endpoint: "richmenu.delete", Delay: 600 * time.Millisecond, Deliver: true})
	if err := s.DeleteRichMenu(ctx, id); err != nil {
		t.Fatalf("DeleteRichMenu: %v", err)
	}
	if got := rmStatuses(fake, "richmenu.delete"); !slices.Equal(got, []int{200, 404}) {
		t.Errorf("delete answers %v, want 200 (timed out) then 404", got)
	}
}

func TestRichMenuUploadChecksTheImageFirst(t *testing.T) {
	t.Parallel()
	fake, s, ctx := rmSetup(t)
	cases := []struct {
		name, contentType string
		img               []byte
		want              string
	}{
		{"GIF", "image/gif", []byte("GIF89a"), "image type"},
		{"empty", "image/png", nil, "0 bytes"},
		{"over 1 MB", "image/jpeg", make([]byte, sender.MaxRichMenuImage+1), "bytes"},
	}
	for _, tc := range cases {
		err := s.UploadRichMenuImage(ctx, "richmenu-0", tc.contentType, tc.img)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.want)
		}
	}
	if n := len(fake.Calls()); n != 0 {
		t.Errorf("%d calls to LINE, want none", n)
	}
}
