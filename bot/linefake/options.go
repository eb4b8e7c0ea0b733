package linefake

import "time"

// Options configures a Server.
type Options struct {
	// ChannelToken, if non-empty, must be carried by every request as
	// "Authorization: Bearer <token>"; otherwise the server answers 401.
	ChannelToken string
	// Now is the clock used for reply-token expiry, retry-key lifetime,
	// rate limits and timestamps; default time.Now.
	Now func() time.Time
	// MonthlyQuota, when > 0, is reported by GET /v2/bot/message/quota as
	// {"type":"limited","value":MonthlyQuota} and enforced: a push, multicast,
	// narrowcast or broadcast that would exceed it is answered 429. When 0
	// the quota endpoint reports {"type":"none"} and nothing is enforced.
	MonthlyQuota int64
	// DiscardCallBodies stops Calls from keeping request bodies (Call.Body
	// is nil). Use it for very large benchmarks; deliveries are still kept.
	DiscardCallBodies bool
	// BotUserID and BotName are served by GET /v2/bot/info; defaults are a
	// fixed user ID and "Pai Tor (fake)".
	BotUserID, BotName string
}

// now returns the configured clock's time.
func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}
