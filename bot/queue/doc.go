// Package queue is the durable inbound event queue between the webhook and the
// workers, on Redis Streams.
//
// Why Redis Streams (and not a PostgreSQL table): the webhook must acknowledge LINE
// within about a second at thousands of events a second, and the same code must run
// on the embedded default (miniredis) and on a real Redis. An enqueue is one
// round trip (a Lua script that deduplicates by webhookEventId and appends), and a
// consumer group's pending-entries list keeps every event that was read but not
// acknowledged, so a worker that dies mid-event loses nothing: the next owner of
// the partition claims it.
//
// Per-user order: events are spread over a fixed number of partition streams by a
// hash of their key (the LINE user, group or room). Each partition is worked by
// one consumer at a time, which holds a lease in Redis. Within a partition, one
// key's events run one at a time and in order, different keys run in parallel
// (up to Config.Parallel), and the consumer keeps reading and starting other keys
// while some keys' handlers are still running: one slow handler (a language
// model's answer, a slow push) holds up only its own key. Instances share the
// partitions fairly through a heartbeat set.
//
// Durability is Redis's: run production Redis with appendonly yes.
package queue
