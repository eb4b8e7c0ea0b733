package guidance

// InputKind is what the person did.
type InputKind string

const (
	InputFollow   InputKind = "follow"   // added (or unblocked) the account
	InputText     InputKind = "text"     // typed a message
	InputPostback InputKind = "postback" // tapped a button or quick reply that carries data
	InputLocation InputKind = "location" // shared a location
	InputSticker  InputKind = "sticker"  // sent a sticker
	InputMedia    InputKind = "media"    // sent an image, video, audio or file
	InputOther    InputKind = "other"    // anything the bot does not understand yet
)

// Input is one thing the person did.
type Input struct {
	Kind      InputKind
	Text      string            // InputText
	Data      string            // InputPostback: the postback data
	Params    map[string]string // InputPostback: date/time picker values
	Lat, Lng  float64           // InputLocation
	Address   string            // InputLocation
	Unblocked bool              // InputFollow: the person had blocked the account before
}

// Person is what the engine knows about who it talks to: the fields stored
// about them (role, consent, settings, profile) and the facts the edge derives
// ("plan": "saved" when a plan exists, "guardian": "pending" or "confirmed").
type Person struct {
	New    bool // first contact ever
	Fields map[string]string
}
