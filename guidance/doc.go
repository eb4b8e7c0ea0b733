// Package guidance decides what Pai Tor says. It is the conversation engine and
// its flows (data files embedded in the binary, validated before they run), and
// later the assessment, plans and matching.
//
// It does no I/O: a turn takes the person's session, what Pai Tor knows about
// them and what they just did, and returns the new session, the messages to send
// (abstract: text and choices, not LINE JSON) and the effects to apply (such as
// recording a role). The LINE edge (bot/worker and bot/actions) loads and stores, renders and
// sends.
package guidance
