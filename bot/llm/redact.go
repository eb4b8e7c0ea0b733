package llm

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The tags that replace personal data in what is sent to the model (the
// model reads them; people never see them). The prompt (prompt.md) names
// them.
const (
	TagPhone   = "[โทรศัพท์]" // phone
	TagIDCard  = "[เลขบัตร]"  // national ID card number
	TagEmail   = "[อีเมล]"    // email
	TagLine    = "[ไลน์]"     // LINE ID
	TagAccount = "[บัญชี]"    // bank account (or any long number)
	TagKnown   = "[ชื่อ]"     // a value in Request.Known (name, district)
)

var tags = []string{TagPhone, TagIDCard, TagEmail, TagLine, TagAccount, TagKnown}

// A match is first replaced by a private-use character standing for its tag
// (so later rules cannot match inside a tag), expanded at the end.
const placeholderBase = '\uE000'

func placeholder(tag int) string { return string(rune(placeholderBase + tag)) }

const (
	iPhone = iota
	iIDCard
	iEmail
	iLine
	iAccount
	iKnown
)

// digits returns a character class of the given ASCII digits and their Thai
// forms (๐–๙).
func digits(ascii string) string {
	var b strings.Builder
	b.WriteByte('[')
	for _, d := range ascii {
		b.WriteRune(d)
		b.WriteRune('\u0e50' + d - '0')
	}
	b.WriteByte(']')
	return b.String()
}

var (
	dAny  = digits("0123456789")
	dZero = digits("0")
	dSix  = digits("6")
	dMob  = digits("689")   // mobile: 06, 08, 09
	dLand = digits("23457") // landline: 02 Bangkok, 03x 04x 05x 07x provinces
	dNZ   = digits("123456789")
	sp    = `[ \t\x{00A0}]`
	// sep is what may stand between two digits of one number: nothing, a
	// space, or a dash or dot with optional spaces (and a closing bracket).
	sep = `\)?(?:` + sp + `?[\-.\x{2010}-\x{2015}]` + sp + `?|` + sp + `)?`
	// run returns digits joined by sep, n to m of them after the first.
	run = func(n, m string) string { return `(?:` + sep + dAny + `){` + n + `,` + m + `}` }
)

// rule is one kind of personal data: matches of group (0 = the whole match)
// become the tag.
type rule struct {
	re     *regexp.Regexp
	group  int
	tag    int
	digits bool // the match must not be part of a longer number
	money  bool // skip a match followed by baht (an amount, not an account)
}

var rules = []rule{
	// Emails, also "name @ host" and "name(at)host.com".
	{re: regexp.MustCompile(`(?i)[a-z0-9._%+\-]+` + sp + `?(?:@|\(at\)|\[at\])` + sp + `?[a-z0-9\-]+(?:\.[a-z0-9\-]+)+`), tag: iEmail},
	// Phones with the country code: +66 81 234 5678, 0066-2-123-4567, (+66)812345678.
	{re: regexp.MustCompile(`\(?(?:\+` + sp + `?|00)?` + dSix + dSix + `\)?` + sep + `(?:\(?` + dZero + `\)` + sep + `)?` + dNZ + run("7", "8")), tag: iPhone, digits: true},
	// Mobiles: 081-234-5678, 08 1234 5678, 0812345678, ๐๘๑.๒๓๔.๕๖๗๘.
	{re: regexp.MustCompile(`\(?` + dZero + sep + dMob + run("8", "8")), tag: iPhone, digits: true},
	// Landlines: 02-123-4567, 053-123-456, (02) 123 4567.
	{re: regexp.MustCompile(`\(?` + dZero + sep + dLand + run("7", "7")), tag: iPhone, digits: true},
	// Runs of 14 digits or more (cards, accounts with branch codes).
	{re: regexp.MustCompile(dAny + run("13", "")), tag: iAccount, digits: true},
	// National ID: 13 digits, 1-2345-67890-12-3, 1 2345 67890 12 3.
	{re: regexp.MustCompile(dAny + run("12", "12")), tag: iIDCard, digits: true},
	// A number after a bank-account word, 6 digits or more.
	{re: regexp.MustCompile(`(?i)(?:เลขที่บัญชี|เลขบัญชี|บัญชีเลขที่|บัญชี|บช\.?|a/c|acc(?:ount)?\.?(?:\s*(?:no\.?|number|#))?)\s*[:：#]?\s*(` + dAny + run("5", "17") + `)`), group: 1, tag: iAccount, digits: true, money: true},
	// Bank accounts: 10 to 12 digits, 123-4-56789-0.
	{re: regexp.MustCompile(dAny + run("9", "11")), tag: iAccount, digits: true, money: true},
	// LINE IDs after a label: "line id: somchai", "ไลน์ somchai_99", "ID ไลน์ @abc".
	{re: regexp.MustCompile(`(?i)(?:\b(?:line\s*id|id\s*line|id\s*ไลน์|line\s*ไอดี|line\s*[:：=])|ไอดี\s*ไลน์|ไลน์\s*ไอดี|ไลน์\s*id|ไลน์|ไอดี)\s*[:：=]?\s*(@?[a-z0-9][a-z0-9._\-]{2,})`), group: 1, tag: iLine},
	// LINE IDs written as @handle.
	{re: regexp.MustCompile(`(?i)(?:^|[^a-z0-9._%+\-])(@[a-z0-9._\-]{2,})`), group: 1, tag: iLine},
}

var moneyAfter = regexp.MustCompile(`(?i)^\s*(?:บาท|บ\.|฿|baht|thb)`)

// Redact returns text with personal data replaced by tags, for sending to
// the model: Thai phone numbers (mobiles 06/08/09, landlines, +66 forms, with
// spaces, dashes or dots), 13-digit national ID numbers, emails, LINE IDs
// ("line id: x", "ไลน์ x", "@x"), bank account numbers (10–12 digits, or a
// number after "เลขบัญชี"/"account"), any run of 14 digits or more, and every
// value in known (case-insensitive; values shorter than two characters or
// without a letter are ignored). Thai digits count as digits. Ages, amounts
// ("300 บาท"), dates and places stay. Invisible characters are dropped and
// full-width letters and digits read as ASCII first.
func Redact(text string, known []string) string {
	s := clean(text)
	for _, r := range rules {
		s = r.apply(s)
	}
	s = redactKnown(s, known)
	var b strings.Builder
	for _, r := range s {
		if r >= placeholderBase && r < placeholderBase+rune(len(tags)) {
			b.WriteString(tags[r-placeholderBase])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (r rule) apply(s string) string {
	locs := r.re.FindAllStringSubmatchIndex(s, -1)
	if locs == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		a, e := loc[2*r.group], loc[2*r.group+1]
		if a < 0 || a < last {
			continue
		}
		if r.digits && !standsAlone(s, a, e) {
			continue
		}
		if r.money && moneyAfter.MatchString(s[e:]) {
			continue
		}
		b.WriteString(s[last:a])
		b.WriteString(placeholder(r.tag))
		last = e
	}
	b.WriteString(s[last:])
	return b.String()
}

// standsAlone reports whether s[a:e] is a whole number: not touching another
// digit, nor a dash or dot followed by one (a space between numbers keeps
// them apart).
func standsAlone(s string, a, e int) bool {
	before, n := utf8.DecodeLastRuneInString(s[:a])
	if n > 0 && isDigit(before) {
		return false
	}
	if n > 0 && (before == '-' || before == '.') {
		if r, _ := utf8.DecodeLastRuneInString(s[:a-n]); isDigit(r) {
			return false
		}
	}
	after, n := utf8.DecodeRuneInString(s[e:])
	if n > 0 && isDigit(after) {
		return false
	}
	if n > 0 && (after == '-' || after == '.') {
		if r, _ := utf8.DecodeRuneInString(s[e+n:]); isDigit(r) {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' || r >= '\u0e50' && r <= '\u0e59' }

// redactKnown replaces each known value, longest first, ignoring case and
// how many spaces stand between its words.
func redactKnown(s string, known []string) string {
	var vals []string
	for _, k := range known {
		k = strings.TrimSpace(clean(k))
		if utf8.RuneCountInString(k) < 2 || !strings.ContainsFunc(k, unicode.IsLetter) {
			continue
		}
		vals = append(vals, k)
	}
	sort.SliceStable(vals, func(i, j int) bool {
		return utf8.RuneCountInString(vals[i]) > utf8.RuneCountInString(vals[j])
	})
	for _, k := range vals {
		words := strings.Fields(k)
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		re, err := regexp.Compile(`(?i)` + strings.Join(words, `\s*`))
		if err != nil {
			continue
		}
		s = re.ReplaceAllLiteralString(s, placeholder(iKnown))
	}
	return s
}

// clean drops invisible characters (zero-width spaces and joiners, soft
// hyphens, bidi marks) and private-use characters (the placeholders), and
// reads full-width ASCII as ASCII, so "08\u200b1" or "０８１" cannot slip past.
func clean(s string) string {
	s = foldWidth(s)
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) {
			return -1
		}
		return r
	}, s)
}

// foldWidth maps full-width ASCII (U+FF01–U+FF5E) and the ideographic space
// to ASCII.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '\uff01' && r <= '\uff5e':
			return r - 0xfee0
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}
