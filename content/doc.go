// Package content is Pai Tor's system of record: the people who talk to the bot,
// and (as the product grows) courses, openings, festivals, tips, cities and tokens.
//
// It holds the domain types and the storage interfaces only. Implementations live
// in sub-packages named after what they use: content/postgres (PostgreSQL, the
// production store) and content/memory (the embedded default for a bare machine).
// Both pass the same contract suite in content/storetest. Nothing here talks to
// LINE or decides what the bot says.
package content
