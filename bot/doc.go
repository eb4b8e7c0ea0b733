// Package bot is the LINE edge of Pai Tor: it turns queued webhook events into
// conversation turns and sends what the guidance engine says.
//
// One event's path: bot/webhook checks the signature and queues the raw event
// (bot/queue); a worker hands it to Bot.Handle, which looks at the event type
// (events.go: the one place to see what the bot does with each kind of input),
// loads the person's session (bot/redisstate) and record (content), asks the
// guidance engine for a turn, applies its effects, renders it to LINE messages
// (bot/render), stores the new session together with the outbox of what to send,
// and delivers the outbox (bot/sender). A retried event resumes from its outbox,
// so nothing is said twice.
package bot
