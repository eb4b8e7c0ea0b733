package lessons

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

func mustLoad(t *testing.T) []Module {
	t.Helper()
	mods, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return mods
}

func TestLoad(t *testing.T) {
	mods := mustLoad(t)
	if len(mods) < 6 {
		t.Fatalf("%d modules, want at least 6", len(mods))
	}
	var ids []string
	for _, m := range mods {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids[:len(Order)], Order) {
		t.Errorf("order %v, want it to start with %v", ids, Order)
	}
	for _, m := range mods {
		if n := len(m.Messages); n < 3 || n > 6 {
			t.Errorf("%s: %d messages", m.ID, n)
		}
		if m.Check.Correct < 0 || m.Check.Correct >= len(m.Check.Choices) {
			t.Errorf("%s: correct out of range", m.ID)
		}
		for _, s := range []string{m.Short.TH, m.Short.EN} {
			if n := utf8.RuneCountInString(s); n == 0 || n > 20 {
				t.Errorf("%s: short label %q is %d characters", m.ID, s, n)
			}
		}
		for _, c := range m.Check.Choices {
			if utf8.RuneCountInString(c.TH) > 16 || utf8.RuneCountInString(c.EN) > 16 {
				t.Errorf("%s: choice %+v too long", m.ID, c)
			}
		}
		for _, lang := range []string{"th", "en"} {
			for _, s := range m.Texts(lang) {
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s: empty %s text", m.ID, lang)
				}
				if units(s) > 5000 {
					t.Errorf("%s: %s text over 5,000 UTF-16 units", m.ID, lang)
				}
			}
		}
	}
}

// The Thai voice is female-polite: ค่ะ / นะคะ, never the male ครับ except in
// a quoted example of what the young person might say ("ค่ะ/ครับ").
func TestVoice(t *testing.T) {
	for _, m := range mustLoad(t) {
		all := strings.Join(m.Texts("th"), "\n")
		if !strings.Contains(all, "ค่ะ") {
			t.Errorf("%s: Thai never says ค่ะ", m.ID)
		}
		stripped := strings.NewReplacer("ค่ะ/ครับ", "", "นะคะ/นะครับ", "", "พี่คะ/พี่ครับ", "").Replace(all)
		if strings.Contains(stripped, "ครับ") {
			t.Errorf("%s: Thai uses ครับ as the bot's own voice", m.ID)
		}
		for i, msg := range m.Messages {
			if n := utf8.RuneCountInString(msg.TH); n > 400 {
				t.Errorf("%s message %d: %d Thai characters", m.ID, i+1, n)
			}
		}
	}
}

// Hotlines appear where a young person needs them.
func TestHotlines(t *testing.T) {
	mods := mustLoad(t)
	want := map[string][]string{
		"wellbeing": {"1323", "1300", "คุยกับคน"},
		"scams":     {"1441", "1212", "บัญชีม้า"},
		"applying":  {"ไทยมีงานทำ", "บัตรประชาชน", "ค่าจ้างขั้นต่ำ", "18"},
		"money":     {"หนี้นอกระบบ"},
	}
	for id, words := range want {
		m, ok := Find(mods, id)
		if !ok {
			t.Errorf("module %s missing", id)
			continue
		}
		th := strings.Join(m.Texts("th"), "\n")
		en := strings.Join(m.Texts("en"), "\n")
		for _, w := range words {
			if !strings.Contains(th, w) {
				t.Errorf("%s: Thai text does not mention %q", id, w)
			}
			if w[0] >= '0' && w[0] <= '9' && !strings.Contains(en, w) {
				t.Errorf("%s: English text does not mention %q", id, w)
			}
		}
	}
	// The wellbeing module keeps to the official hotlines: no other
	// four-digit hotline numbers.
	m, _ := Find(mods, "wellbeing")
	for _, s := range m.Texts("th") {
		for _, n := range []string{"1669", "191", "1567", "1441"} {
			if strings.Contains(s, n) {
				t.Errorf("wellbeing mentions %s", n)
			}
		}
	}
}

const goodModule = `id: demo
title: {th: ทดลอง, en: Demo}
badge: {emoji: "⭐", th: ดาว, en: Star}
minutes: 2
messages:
  - {th: ข้อความหนึ่งค่ะ, en: One}
  - {th: ข้อความสองค่ะ, en: Two}
  - {th: ข้อความสามค่ะ, en: Three}
check:
  question: {th: ถามค่ะ, en: Question}
  choices:
    - {th: ใช่, en: "Yes"}
    - {th: ไม่ใช่, en: "No"}
  correct: 0
  right: {th: ถูกค่ะ, en: Right}
  wrong: {th: ไม่เป็นไรค่ะ, en: Never mind}
next_step: {th: ลองทำค่ะ, en: Try it}
`

func TestLoadFSGood(t *testing.T) {
	fsys := fstest.MapFS{
		"mods/demo.yaml":  {Data: []byte(goodModule)},
		"mods/money.yaml": {Data: []byte(strings.Replace(goodModule, "id: demo", "id: money", 1))},
	}
	mods, err := LoadFS(fsys, "mods")
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 2 || mods[0].ID != "money" || mods[1].ID != "demo" {
		t.Errorf("got %v, want money then demo", mods)
	}
	if mods[1].Short != mods[1].Title {
		t.Errorf("short %v does not default to the title %v", mods[1].Short, mods[1].Title)
	}
	if mods[1].Badge.Emoji != "⭐" || mods[1].Badge.Name.TH != "ดาว" {
		t.Errorf("badge %+v", mods[1].Badge)
	}
	if got := mods[1].Check.Choices[1].Get("en"); got != "No" {
		t.Errorf("Get(en) = %q", got)
	}
}

func TestLoadFSRejects(t *testing.T) {
	cases := []struct {
		name, file, data, want string
	}{
		{"correct out of range", "broken.yaml", strings.Replace(strings.Replace(goodModule, "id: demo", "id: broken", 1), "correct: 0", "correct: 2", 1), "correct is 2, out of range"},
		{"too few messages", "demo.yaml", strings.Replace(goodModule, "  - {th: ข้อความสามค่ะ, en: Three}\n", "", 1), "messages: 2, want 3–6"},
		{"no Thai", "demo.yaml", strings.Replace(goodModule, "{th: ข้อความสองค่ะ, en: Two}", "{th: '', en: Two}", 1), "message 2: no Thai text"},
		{"English in the Thai slot", "demo.yaml", strings.Replace(goodModule, "{th: ข้อความสองค่ะ, en: Two}", "{th: Two, en: Two}", 1), "has no Thai letters"},
		{"long title, no short", "demo.yaml", strings.Replace(goodModule, "title: {th: ทดลอง, en: Demo}", "title: {th: ทดลองหัวข้อที่ยาวมากจนใส่ปุ่มไม่ได้, en: Demo}", 1), "short: th text is"},
		{"long choice", "demo.yaml", strings.Replace(goodModule, "{th: ไม่ใช่, en: \"No\"}", "{th: ไม่ใช่แน่นอนเลยไม่มีทางเด็ดขาด, en: \"No\"}", 1), "check choice 2"},
		{"one choice", "demo.yaml", strings.Replace(goodModule, "    - {th: ไม่ใช่, en: \"No\"}\n", "", 1), "1 choices, want 2–4"},
		{"minutes", "demo.yaml", strings.Replace(goodModule, "minutes: 2", "minutes: 10", 1), "minutes: 10"},
		{"id and file differ", "other.yaml", goodModule, `id "demo" must match the file name "other"`},
		{"unknown key", "demo.yaml", goodModule + "extra: 1\n", "field extra not found"},
		{"text too long", "demo.yaml", strings.Replace(goodModule, "ข้อความหนึ่งค่ะ", strings.Repeat("ก", 5001), 1), "UTF-16 units"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"mods/" + tc.file: {Data: []byte(tc.data)}}
			_, err := LoadFS(fsys, "mods")
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, "mods/"+tc.file) {
				t.Errorf("error does not name the file: %v", msg)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
		})
	}
}

func TestLoadFSDuplicateAndEmpty(t *testing.T) {
	fsys := fstest.MapFS{
		"a/demo.yaml": {Data: []byte(goodModule)},
	}
	if _, err := LoadFS(fsys, "b"); err == nil {
		t.Error("empty folder accepted")
	}
	// Two files can't share an id (only one can match its name, but both
	// problems are reported).
	fsys["a/copy.yaml"] = &fstest.MapFile{Data: []byte(goodModule)}
	_, err := LoadFS(fsys, "a")
	if err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("duplicate id: %v", err)
	}
}
