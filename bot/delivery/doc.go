// Package delivery is the engine every push to many people goes through:
// festival announcements now, parents' tips later.
//
// An announcement falls due (content.CityStore.ClaimDueAnnouncements, under a
// lease). Inside the quiet hours (21:00–08:00 in Thailand) it waits: it is
// saved again with ScheduledAt at the end of the quiet hours. Otherwise the
// engine resolves it: it marks it "sending", streams its audience (in user ID
// order, never all in memory), leaves out the blocked, the opted out (settings
// pushes=off or festivals=off) and whoever already had WeeklyCap pushes this
// ISO week (a Redis counter per person and week, kept in 64 hashes per week
// and read 1,000 people per round trip), cuts the rest into chunks of at most
// 500 with a fresh retry key each, saves the chunks
// (content.CityStore.SaveChunks) and only then queues them.
//
// The audience is read a page ahead while the caps are checked, and chunks
// are saved and queued in batches of 20 by another goroutine, so sending
// starts within a fraction of a second and runs while the rest is resolved.
//
// Chunks are worked from a durable queue on Redis Streams (bot/queue: consumer
// groups, leased partitions, retries with backoff, dead letters). A worker
// loads the chunk, skips it when it is already finished, and multicasts it
// through bot/sender with the chunk's retry key; on success it records the
// chunk sent and counts the push against each recipient's weekly cap, on a
// permanent LINE error (4xx but 401 and 429) it records the chunk failed, as
// it does when the announcement was cancelled or its messages cannot be sent.
// When every chunk is finished the announcement is "sent" (Stats tell how
// many were sent and failed).
//
// Exactly once: the retry key is stored with the chunk before the chunk is
// queued. A worker that dies after LINE accepted a chunk but before recording
// it leaves the queue entry unacknowledged; the next owner of the partition
// claims it and multicasts again with the same key, LINE answers 409 (already
// accepted) and the chunk counts as sent: each person gets it once.
//
// Crash safety of the resolve step: a Redis lock (renewed while it runs) keeps
// two instances from resolving one announcement at once, and a marker set at
// the end says it is complete. An announcement left "sending" without the
// marker (its resolver died) is resolved again by the sweep that Run does every
// SweepEvery. Chunks already saved are kept as they are (same recipients, same
// retry keys) and queued again (the queue drops duplicates by event ID); the
// audience is streamed again and only the people after the last saved chunk's
// last recipient are cut into new chunks, so nobody lands in two chunks even
// if the audience or the caps changed in between.
//
// No chunk is taken during the quiet hours: Run stops working the queue when
// they begin and starts again when they end (a chunk taken at the boundary
// is put back).
//
// Known imprecision: the weekly counters are incremented after a chunk is
// recorded sent. A crash between the two leaves those people one push short on
// their counter (they might get one push more that week); the counters are
// never incremented twice for one chunk. Two announcements resolved at the same
// moment both see the counters before either is sent, so a person near the cap
// can get both.
package delivery
