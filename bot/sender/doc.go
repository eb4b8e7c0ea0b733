// Package sender owns every call Pai Tor makes to the LINE Messaging API.
//
// Nothing else in the project talks to LINE. It replies while a reply token is
// fresh and pushes otherwise, gives every push a retry key that is reused on
// every retry (a 409 means LINE already has it), retries 5xx, 429 (honouring
// Retry-After) and timeouts with backoff but never other 4xx, waits on a rate
// limiter shared by all instances, and never sends more than LINE allows in one
// request. It holds no state of its own: the outbox of each event (see Outbox)
// is stored by the caller between steps.
package sender
