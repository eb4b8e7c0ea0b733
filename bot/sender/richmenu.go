package sender

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// MaxRichMenuImage is the largest rich menu image LINE accepts (PNG or JPEG).
const MaxRichMenuImage = 1 << 20

// blobClient builds a fresh SDK client for LINE's data API (uploads) bound to
// ctx, for the same reason as client.
func (s *Sender) blobClient(ctx context.Context) *messaging_api.MessagingApiBlobAPI {
	api, err := messaging_api.NewMessagingApiBlobAPI(s.cfg.Token,
		messaging_api.WithBlobEndpoint(s.cfg.DataAPIURL), messaging_api.WithBlobHTTPClient(s.cfg.HTTPClient))
	if err != nil {
		panic(fmt.Sprintf("sender: bad data API URL %q: %v", s.cfg.DataAPIURL, err)) // validated at start-up
	}
	return api.WithContext(ctx)
}

// CreateRichMenu creates a rich menu (without its image) and returns its ID.
// A retry after a lost answer may leave a second, unused menu behind; the
// rich menu installer deletes menus of the same name, so it is cleaned up on
// the next install.
func (s *Sender) CreateRichMenu(ctx context.Context, req messaging_api.RichMenuRequest) (string, error) {
	var id string
	err := s.call(ctx, "richmenu.create", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, body, err := api.CreateRichMenuWithHttpInfo(&req)
		if err == nil && body != nil {
			id = body.RichMenuId
		}
		return res, err
	})
	if err == nil && id == "" {
		return "", errors.New("line richmenu.create: LINE answered without a rich menu ID")
	}
	return id, err
}

// UploadRichMenuImage uploads the image of rich menu id: contentType is
// image/png or image/jpeg, img at most MaxRichMenuImage bytes. LINE takes one
// image per menu; if a try whose answer was lost had already stored it, the
// retry's "already uploaded" counts as success.
func (s *Sender) UploadRichMenuImage(ctx context.Context, id, contentType string, img []byte) error {
	if contentType != "image/png" && contentType != "image/jpeg" {
		return fmt.Errorf("sender: rich menu image type %q (image/png or image/jpeg allowed)", contentType)
	}
	if len(img) == 0 || len(img) > MaxRichMenuImage {
		return fmt.Errorf("sender: rich menu image of %d bytes (1 to %d allowed)", len(img), MaxRichMenuImage)
	}
	unknownOutcome := false
	err := s.call(ctx, "richmenu.upload", false, func(*messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := s.blobClient(ctx).SetRichMenuImageWithHttpInfo(id, contentType, bytes.NewReader(img))
		if res == nil && err != nil {
			unknownOutcome = true
		}
		return res, err
	})
	if err != nil && unknownOutcome && StatusOf(err) == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(err.Error()), "already been uploaded") {
		return nil
	}
	return err
}

// SetRichMenuAlias points alias at rich menu id, creating the alias if it
// does not exist yet.
func (s *Sender) SetRichMenuAlias(ctx context.Context, alias, id string) error {
	update := func() error {
		return s.call(ctx, "richmenu.alias", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
			res, _, err := api.UpdateRichMenuAliasWithHttpInfo(alias, &messaging_api.UpdateRichMenuAliasRequest{RichMenuId: id})
			return res, err
		})
	}
	err := update()
	if StatusOf(err) != http.StatusNotFound {
		return err
	}
	err = s.call(ctx, "richmenu.alias", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.CreateRichMenuAliasWithHttpInfo(&messaging_api.CreateRichMenuAliasRequest{RichMenuAliasId: alias, RichMenuId: id})
		return res, err
	})
	if StatusOf(err) == http.StatusBadRequest && strings.Contains(strings.ToLower(err.Error()), "conflict") {
		// Created meanwhile (by a lost answer or another installer).
		return update()
	}
	return err
}

// RichMenuIDByAlias returns the ID of the rich menu alias points at. An alias
// that does not exist gives an *APIError with status 404.
func (s *Sender) RichMenuIDByAlias(ctx context.Context, alias string) (string, error) {
	var id string
	err := s.call(ctx, "richmenu.alias", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, body, err := api.GetRichMenuAliasWithHttpInfo(alias)
		if err == nil && body != nil {
			id = body.RichMenuId
		}
		return res, err
	})
	return id, err
}

// LinkRichMenu shows rich menu id to userID (replacing the one shown before).
func (s *Sender) LinkRichMenu(ctx context.Context, userID, id string) error {
	return s.call(ctx, "richmenu.link", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.LinkRichMenuIdToUserWithHttpInfo(userID, id)
		return res, err
	})
}

// ListRichMenus returns every rich menu of the channel.
func (s *Sender) ListRichMenus(ctx context.Context) ([]messaging_api.RichMenuResponse, error) {
	var menus []messaging_api.RichMenuResponse
	err := s.call(ctx, "richmenu.list", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, body, err := api.GetRichMenuListWithHttpInfo()
		if err == nil && body != nil {
			menus = body.Richmenus
		}
		return res, err
	})
	return menus, err
}

// DeleteRichMenu deletes rich menu id; users it was linked to lose it. If a
// try whose answer was lost had already deleted it, the retry's 404 counts as
// success.
func (s *Sender) DeleteRichMenu(ctx context.Context, id string) error {
	unknownOutcome := false
	err := s.call(ctx, "richmenu.delete", false, func(api *messaging_api.MessagingApiAPI) (*http.Response, error) {
		res, _, err := api.DeleteRichMenuWithHttpInfo(id)
		if res == nil && err != nil {
			unknownOutcome = true
		}
		return res, err
	})
	if unknownOutcome && StatusOf(err) == http.StatusNotFound {
		return nil
	}
	return err
}
