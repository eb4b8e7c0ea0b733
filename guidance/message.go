package guidance

// Text is something Pai Tor says, in Thai and English. Thai comes first: it is
// what users see unless they switched to English.
type Text struct {
	TH string `yaml:"th" json:"th"`
	EN string `yaml:"en" json:"en"`
}

// In returns the text in lang ("en" or anything else for Thai), falling back to
// Thai when there is no English.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.TH
}

// Message is one abstract message: text with, optionally, choices offered as
// quick replies. The LINE edge renders it.
type Message struct {
	Text    string
	Choices []Choice
}

// Choice is a tappable answer. Data goes back as a postback; Label is shown on
// the chip and echoed in the chat as the person's answer. A Location choice
// opens LINE's location picker instead.
type Choice struct {
	Label    string
	Data     string
	Location bool
}
