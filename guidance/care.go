package guidance

import (
	"strconv"
	"time"
)

// Care after a crisis message: for a while after the safety path fired (or
// until the person leaves it, or a counsellor closes their handoff), what the
// person types is kept for the counsellor and answered warmly (care.yaml). It
// never meets the not-understood reply, the intent guesses or a language
// model. A crisis phrase gets the help lines again; the global commands keep
// working ("หยุด", "ลบข้อมูล", "กลับไปคุยกับไปต่อ").
const (
	NodeCareAck   = "care.ack"   // keep what was typed, then a warm word
	NodeCareHeard = "care.heard" // a warm word (a sticker or a photo in care)
	NodeCareAgain = "care.again" // a crisis phrase in care: the help lines again
	NodeCareLeave = "care.leave" // back to the usual conversation
)

// Session variables of the care state.
const (
	varCare  = "_care"   // until when (RFC 3339)
	varCareN = "_care_n" // which warm word is next (1, 2, 3)
	varText  = "_text"   // what the person typed, for an action to keep or place
)

// startCare puts the person in care until the safety data's care time is up.
func (t *turn) startCare(now time.Time) {
	t.sess.Vars[varCare] = now.Add(t.script.safety.careFor).UTC().Format(time.RFC3339)
	t.sess.Vars[varCareN] = "0"
}

// inCare reports whether the person is in care now.
func (t *turn) inCare(now time.Time) bool {
	until, err := time.Parse(time.RFC3339, t.sess.Vars[varCare])
	return err == nil && now.Before(until)
}

// careText answers typed text in care: the global commands marked for care
// (stop, delete, a person, leaving care...) still work; anything else is kept
// for the counsellor with a warm word.
func (t *turn) careText(raw string) {
	if cmd, arg, ok := t.script.command(normalize(raw), raw); ok && cmd.Care {
		t.runCommand(cmd, arg)
		return
	}
	t.nextCareWord()
	t.setVar(varText, raw)
	t.run(NodeCareAck)
}

// careCrisis answers a crisis phrase typed in care.
func (t *turn) careCrisis(raw string) {
	t.nextCareWord()
	t.setVar(varText, raw)
	t.run(NodeCareAgain)
}

// nextCareWord moves on to the next warm word, so that the same words are
// not repeated at someone telling their story.
func (t *turn) nextCareWord() {
	n, _ := strconv.Atoi(t.sess.Vars[varCareN])
	t.sess.Vars[varCareN] = strconv.Itoa(n%3 + 1)
}

// While a ticket is open (the derived field "ticket" is "open"), a counsellor
// has the conversation: what the person types is kept for them, with a short
// word at most every ackEvery (ticket.yaml), else in silence.
const (
	NodeTicketKept   = "ticket.kept"   // keep it and say so
	NodeTicketQuiet  = "ticket.quiet"  // keep it without a word
	NodeTicketClosed = "ticket.closed" // the ticket service hands the person back
	varTicketAck     = "_ticket_ack"   // when the last short word was said (RFC 3339)
	varTicketAway    = "_ticket_away"  // "1": the person went back to Pai Tor while the ticket is open
	ackEvery         = 30 * time.Minute
)

// ticketText answers typed text while a ticket is open.
func (t *turn) ticketText(raw string, now time.Time) {
	if cmd, arg, ok := t.script.command(normalize(raw), raw); ok && cmd.Care {
		t.runCommand(cmd, arg)
		return
	}
	t.setVar(varText, raw)
	last, err := time.Parse(time.RFC3339, t.sess.Vars[varTicketAck])
	if err == nil && now.Sub(last) < ackEvery {
		t.run(NodeTicketQuiet)
		return
	}
	t.sess.Vars[varTicketAck] = now.UTC().Format(time.RFC3339)
	t.run(NodeTicketKept)
}
