// Package bot is the LINE edge of Pai Tor; its sub-packages do the work, and
// this one only tells the path of one message through them.
//
// bot/webhook checks the signature and queues the raw event (bot/queue: Redis
// Streams, one partition per group of users, each partition leased to one
// instance through bot/lease). The conversation worker (bot/worker) takes it:
// it looks at the event type (worker/events.go), loads the person's session
// (bot/redisstate) and what is stored about them (bot/person), and asks the
// guidance engine for a turn. It applies the turn's effects, and when the turn
// stops at an action, bot/actions does it (one handler per name, checked
// against the flows at start-up) and the engine resumes. The worker renders
// the turn's messages to LINE JSON (bot/render), stores the new session
// together with the outbox of what to send in one Redis transaction, and
// delivers the outbox (bot/sender), by reply while the token is fresh. A
// retried event resumes from its outbox, so nothing is said twice. Broadcasts
// to many people go through bot/delivery instead.
package bot
