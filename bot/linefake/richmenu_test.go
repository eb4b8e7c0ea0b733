package linefake

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// pngHeader is enough of a PNG for the signature check.
var pngHeader = []byte("\x89PNG\r\n\x1a\n0000")

func richMenuRequest() *messaging_api.RichMenuRequest {
	return &messaging_api.RichMenuRequest{
		Size:        &messaging_api.RichMenuSize{Width: 2500, Height: 843},
		Selected:    true,
		Name:        "main",
		ChatBarText: "เมนู",
		Areas: []messaging_api.RichMenuArea{{
			Bounds: &messaging_api.RichMenuBounds{X: 0, Y: 0, Width: 1250, Height: 843},
			Action: &messaging_api.PostbackAction{Label: "แผนเที่ยว", Data: "menu=plan", DisplayText: "แผนเที่ยว"},
		}},
	}
}

func TestRichMenuFlow(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	blob, err := messaging_api.NewMessagingApiBlobAPI(testToken, messaging_api.WithBlobEndpoint(s.URL()))
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateRichMenu(richMenuRequest())
	if err != nil {
		t.Fatal(err)
	}
	id := created.RichMenuId
	if !strings.HasPrefix(id, "richmenu-") {
		t.Fatalf("id %q", id)
	}
	user := NewUserID()
	if _, err := c.LinkRichMenuIdToUser(user, id); err == nil {
		t.Error("linking a menu without an image must fail")
	}
	if _, err := blob.SetRichMenuImage(id, "image/png", bytes.NewReader(pngHeader)); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if _, err := c.LinkRichMenuIdToUser(user, id); err != nil {
		t.Fatal(err)
	}
	if s.RichMenuOf(user) != id {
		t.Errorf("RichMenuOf = %q", s.RichMenuOf(user))
	}
	got, err := c.GetRichMenuIdOfUser(user)
	if err != nil || got.RichMenuId != id {
		t.Errorf("GetRichMenuIdOfUser %v %v", got, err)
	}
	others := []string{NewUserID(), NewUserID()}
	if _, err := c.LinkRichMenuIdToUsers(&messaging_api.RichMenuBulkLinkRequest{RichMenuId: id, UserIds: others}); err != nil {
		t.Fatal(err)
	}
	if s.RichMenuOf(others[1]) != id {
		t.Error("bulk link not recorded")
	}
	if _, err := c.SetDefaultRichMenu(id); err != nil || s.DefaultRichMenu() != id {
		t.Errorf("default: %v", err)
	}
	if _, err := c.CreateRichMenuAlias(&messaging_api.CreateRichMenuAliasRequest{RichMenuAliasId: "main-a", RichMenuId: id}); err != nil {
		t.Fatal(err)
	}
	list, err := c.GetRichMenuList()
	if err != nil || len(list.Richmenus) != 1 || list.Richmenus[0].ChatBarText != "เมนู" {
		t.Errorf("list %+v %v", list, err)
	}
	if _, err := c.UnlinkRichMenuIdFromUser(user); err != nil || s.RichMenuOf(user) != "" {
		t.Errorf("unlink: %v", err)
	}
	if _, err := c.DeleteRichMenu(id); err != nil {
		t.Fatal(err)
	}
	if s.RichMenuOf(others[0]) != "" || s.DefaultRichMenu() != "" {
		t.Error("deleted menu still linked")
	}
	if _, err := c.GetRichMenu(id); err == nil {
		t.Error("deleted menu still served")
	}
}

func TestRichMenuValidation(t *testing.T) {
	cases := []struct {
		name     string
		edit     func(r *messaging_api.RichMenuRequest)
		property string
	}{
		{"valid", func(*messaging_api.RichMenuRequest) {}, ""},
		{"chatBarText 15", func(r *messaging_api.RichMenuRequest) { r.ChatBarText = strings.Repeat("a", 15) }, "chatBarText"},
		{"too narrow", func(r *messaging_api.RichMenuRequest) { r.Size.Width = 700 }, "size.width"},
		{"no size", func(r *messaging_api.RichMenuRequest) { r.Size = nil }, "size"},
		{"unknown action", func(r *messaging_api.RichMenuRequest) { r.Areas[0].Action = rawAction(`{"type":"teleport"}`) }, "areas[0].action.type"},
		{"21 areas", func(r *messaging_api.RichMenuRequest) {
			for range 20 {
				r.Areas = append(r.Areas, r.Areas[0])
			}
		}, "areas"},
	}
	s := startServer(t, Options{})
	c := client(t, s)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset()
			req := richMenuRequest()
			tc.edit(req)
			res, _, err := c.ValidateRichMenuObjectWithHttpInfo(req)
			if tc.property == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if status(res) != 400 || !hasProperty(errorBody(t, res), tc.property) {
				t.Errorf("status %d, err %v", status(res), err)
			}
			if len(s.ValidationErrors()) != 1 {
				t.Errorf("validation errors %v", s.ValidationErrors())
			}
		})
	}
}

func TestRichMenuImageRules(t *testing.T) {
	s := startServer(t, Options{})
	c := client(t, s)
	created, err := c.CreateRichMenu(richMenuRequest())
	if err != nil {
		t.Fatal(err)
	}
	upload := func(ct string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v2/bot/richmenu/"+created.RichMenuId+"/content", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", ct)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := upload("image/gif", []byte("GIF89a")); got != 400 {
		t.Errorf("gif: %d", got)
	}
	if got := upload("image/png", append(append([]byte{}, pngHeader...), make([]byte, 1<<20)...)); got != 400 {
		t.Errorf("too big: %d", got)
	}
	if got := upload("image/jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0}); got != 200 {
		t.Errorf("jpeg: %d", got)
	}
	if got := upload("image/jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0}); got != 400 {
		t.Errorf("second upload: %d", got)
	}
}

// rawAction is an action given as raw JSON.
type rawAction []byte

func (a rawAction) GetType() string              { return "raw" }
func (a rawAction) MarshalJSON() ([]byte, error) { return a, nil }
