package linefake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// DefaultDestination is a bot user ID usable as CallbackBody's destination.
const DefaultDestination = "U0123456789abcdef0123456789abcdef"

// CallbackBody returns a webhook request body:
// {"destination":destination,"events":[events...]}. No events gives
// "events":[] (LINE's "verify" request).
func CallbackBody(destination string, events ...json.RawMessage) []byte {
	if events == nil {
		events = []json.RawMessage{}
	}
	body, err := json.Marshal(struct {
		Destination string            `json:"destination"`
		Events      []json.RawMessage `json:"events"`
	}{destination, events})
	if err != nil {
		// Only invalid event JSON gets here; keep the body visibly broken.
		return []byte(fmt.Sprintf(`{"destination":%q,"events":"linefake: %s"}`, destination, err))
	}
	return body
}

// Sign returns LINE's X-Line-Signature for body: base64(HMAC-SHA256(body, channelSecret)).
func Sign(channelSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(channelSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Deliver POSTs the events to webhookURL as LINE does (destination
// DefaultDestination, X-Line-Signature, Content-Type application/json) and
// returns the HTTP status. client nil means http.DefaultClient.
func Deliver(ctx context.Context, client *http.Client, webhookURL, channelSecret string, events ...json.RawMessage) (int, error) {
	if client == nil {
		client = http.DefaultClient
	}
	body := CallbackBody(DefaultDestination, events...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("linefake: deliver webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Line-Signature", Sign(channelSecret, body))
	req.Header.Set("User-Agent", "LineBotWebhook/2.0")
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("linefake: deliver webhook to %s: %w", webhookURL, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// ValidateWebhook validates a callback body against webhook.yml: the
// CallbackRequest, each events[] item against the Event subtype its "type"
// maps to (an unknown type is checked against Event alone, since LINE adds
// event types), and message contents against their subtypes.
func ValidateWebhook(body []byte) error {
	sp, err := loadSpecs()
	if err != nil {
		return fmt.Errorf("linefake: validate webhook: %w", err)
	}
	doc, err := decodeJSON(body)
	if err != nil {
		return fmt.Errorf("linefake: validate webhook: %w", err)
	}
	v := &validator{doc: sp.webhook, allowUnknownEvent: true}
	v.walk(sp.webhookSchema("CallbackRequest"), doc, "", false)
	if len(v.details) > 0 {
		return &ValidationError{Endpoint: "webhook", Message: fmt.Sprintf("The request body has %d error(s)", len(v.details)), Details: v.details}
	}
	return nil
}
