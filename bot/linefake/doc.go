// Package linefake is an in-process fake of the LINE Messaging API.
//
// It serves the endpoints Pai Tor uses (reply, push, multicast, narrowcast,
// broadcast, profile, loading animation, quota, rich menus, bot info),
// validates every request body against LINE's own OpenAPI specification
// (embedded from openapi/) plus LINE's documented limits, records what each
// user received, and can inject faults (status codes, delays, random
// failures, rate limits). It also builds and signs webhook events as LINE
// sends them, so tests and the local chat simulator can drive the bot
// without the LINE Platform.
//
// Tests use NewTest, which fails the test for every validation error the
// server recorded; the simulator uses New and Start.
package linefake
