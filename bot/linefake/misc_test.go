package linefake

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

func TestProfile(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken})
	c := client(t, s)
	known, unknown := NewUserID(), NewUserID()
	s.AddUser(known, "น้องมะลิ")
	p, err := c.GetProfile(known)
	if err != nil || p.DisplayName != "น้องมะลิ" || p.UserId != known {
		t.Errorf("profile %+v %v", p, err)
	}
	res, _, _ := c.GetProfileWithHttpInfo(unknown)
	if status(res) != 404 || errorBody(t, res)["message"] != "Not found" {
		t.Errorf("unknown user: %d", status(res))
	}
	// A user who only got a push has no profile.
	if _, err := push(c, unknown, "", text("x")); err != nil {
		t.Fatal(err)
	}
	if res, _, _ := c.GetProfileWithHttpInfo(unknown); status(res) != 404 {
		t.Errorf("pushed-to user: %d", status(res))
	}
}

func TestLoadingAnimation(t *testing.T) {
	s := startServer(t, Options{})
	c := client(t, s)
	user := NewUserID()
	for _, tc := range []struct {
		secs int32
		want int
	}{{5, 202}, {20, 202}, {60, 202}, {0, 202}, {7, 400}, {65, 400}} {
		res, _, _ := c.ShowLoadingAnimationWithHttpInfo(&messaging_api.ShowLoadingAnimationRequest{ChatId: user, LoadingSeconds: tc.secs})
		if status(res) != tc.want {
			t.Errorf("loadingSeconds %d: %d, want %d", tc.secs, status(res), tc.want)
		}
	}
	if n := len(s.ValidationErrors()); n != 2 {
		t.Errorf("%d validation errors, want 2", n)
	}
}

func TestQuotaInfoLeaveAndUnknownRoute(t *testing.T) {
	s := NewTest(t, Options{ChannelToken: testToken, MonthlyQuota: 3, BotName: "ไปไหนดี"})
	c := client(t, s)
	q, err := c.GetMessageQuota()
	if err != nil || q.Type != "limited" || q.Value != 3 {
		t.Errorf("quota %+v %v", q, err)
	}
	user := NewUserID()
	if _, err := push(c, user, "", text("1"), text("2")); err != nil {
		t.Fatal(err)
	}
	if res, _ := push(c, user, "", text("3"), text("4")); status(res) != 429 {
		t.Errorf("over quota: %d", status(res))
	}
	used, err := c.GetMessageQuotaConsumption()
	if err != nil || used.TotalUsage != 2 {
		t.Errorf("consumption %+v %v", used, err)
	}
	info, err := c.GetBotInfo()
	if err != nil || info.DisplayName != "ไปไหนดี" || info.UserId == "" {
		t.Errorf("info %+v %v", info, err)
	}
	if _, err := c.LeaveGroup("C" + NewUserID()[1:]); err != nil {
		t.Errorf("leave group: %v", err)
	}
	if _, err := c.LeaveRoom("R" + NewUserID()[1:]); err != nil {
		t.Errorf("leave room: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/v2/bot/nothing/here", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 || !json.Valid(body) {
		t.Errorf("unknown route: %d %s", res.StatusCode, body)
	}
	calls := s.Calls()
	for i := 1; i < len(calls); i++ {
		if calls[i].Seq <= calls[i-1].Seq {
			t.Errorf("calls out of order: %d after %d", calls[i].Seq, calls[i-1].Seq)
		}
	}
	if last := calls[len(calls)-1]; last.Endpoint != "unknown" || last.Status != 404 {
		t.Errorf("last call %+v", last)
	}
	s.Reset()
	if len(s.Calls()) != 0 || s.DeliveredCount() != 0 || len(s.Received(user)) != 0 {
		t.Error("Reset kept records")
	}
}

func TestUnlimitedQuota(t *testing.T) {
	s := NewTest(t, Options{})
	q, err := client(t, s).GetMessageQuota()
	if err != nil || q.Type != "none" {
		t.Errorf("quota %+v %v", q, err)
	}
}

func TestGraphemes(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{{"abc", 3}, {"ที่", 1}, {"กำ", 1}, {"👍🏽", 1}, {"👨‍👩‍👧", 1}, {"❤️", 1}, {"เชียงใหม่", 7}} {
		if got := graphemes(tc.s); got != tc.want {
			t.Errorf("graphemes(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}
