package sender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// ErrInvalidReplyToken is returned by Reply when LINE rejects the token
// (expired, already used, or never valid).
var ErrInvalidReplyToken = errors.New("invalid reply token")

func toSDK(msgs []json.RawMessage) ([]messaging_api.MessageInterface, error) {
	if len(msgs) == 0 || len(msgs) > MaxMessagesPerRequest {
		return nil, fmt.Errorf("sender: %d messages in one request (1 to %d allowed)", len(msgs), MaxMessagesPerRequest)
	}
	out := make([]messaging_api.MessageInterface, len(msgs))
	for i, m := range msgs {
		out[i] = Raw(m)
	}
	return out, nil
}

// Reply answers with a reply token. Replies are free but single-use and short
// lived; a rejected token gives ErrInvalidReplyToken. A token that LINE rejects
// after an earlier try of this call timed out was spent by that try, so the call
// counts as delivered.
func (s *Sender) Reply(ctx context.Context, token string, msgs []json.RawMessage) error {
	sdk, err := toSDK(msgs)
	if err != nil {
		return err
	}
	unknownOutcome := false
	err = s.call(ctx, "reply", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: sdk})
		if res == nil && err != nil {
			unknownOutcome = true
		}
		return res, err
	})
	if err != nil && StatusOf(err) == http.StatusBadRequest && strings.Contains(strings.ToLower(err.Error()), "reply token") {
		if unknownOutcome {
			return nil
		}
		return fmt.Errorf("%w: %w", ErrInvalidReplyToken, err)
	}
	return err
}

// Push sends to one user, group or room, counted against the monthly quota.
// retryKey (a UUID) must be the same on every try of the same logical send.
func (s *Sender) Push(ctx context.Context, to string, msgs []json.RawMessage, retryKey string) error {
	sdk, err := toSDK(msgs)
	if err != nil {
		return err
	}
	return s.call(ctx, "push", true, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
			To: to, Messages: sdk, CustomAggregationUnits: []string{},
		}, retryKey)
		return res, err
	})
}

// Multicast sends to up to MaxRecipients users in one request.
func (s *Sender) Multicast(ctx context.Context, to []string, msgs []json.RawMessage, retryKey string) error {
	if len(to) == 0 || len(to) > MaxRecipients {
		return fmt.Errorf("sender: multicast to %d users (1 to %d allowed)", len(to), MaxRecipients)
	}
	sdk, err := toSDK(msgs)
	if err != nil {
		return err
	}
	return s.call(ctx, "multicast", true, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.MulticastWithHttpInfo(&messaging_api.MulticastRequest{
			To: to, Messages: sdk, CustomAggregationUnits: []string{},
		}, retryKey)
		return res, err
	})
}

// Profile is what LINE tells about a user. It is personal data: it is never
// stored before consent and never logged.
type Profile struct {
	DisplayName string
	Language    string
}

// Profile fetches a user's LINE profile.
func (s *Sender) Profile(ctx context.Context, userID string) (Profile, error) {
	var p Profile
	err := s.call(ctx, "profile", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, body, err := api.GetProfileWithHttpInfo(userID)
		if body != nil {
			p = Profile{DisplayName: body.DisplayName, Language: body.Language}
		}
		return res, err
	})
	return p, err
}

// ShowLoading shows the typing dots to a user for seconds (5 to 60, rounded up
// to a multiple of 5) while slow work runs.
func (s *Sender) ShowLoading(ctx context.Context, userID string, seconds int) error {
	seconds = min(max((seconds+4)/5*5, 5), 60)
	return s.call(ctx, "loading", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.ShowLoadingAnimationWithHttpInfo(&messaging_api.ShowLoadingAnimationRequest{ChatId: userID, LoadingSeconds: int32(seconds)})
		return res, err
	})
}

// LeaveGroup makes the bot leave a group chat; LeaveRoom a multi-person chat.
func (s *Sender) LeaveGroup(ctx context.Context, groupID string) error {
	return s.call(ctx, "leave", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.LeaveGroupWithHttpInfo(groupID)
		return res, err
	})
}

// LeaveRoom makes the bot leave a multi-person chat.
func (s *Sender) LeaveRoom(ctx context.Context, roomID string) error {
	return s.call(ctx, "leave", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.LeaveRoomWithHttpInfo(roomID)
		return res, err
	})
}
