package guidance_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paitor/paitor/guidance"
)

func TestEmbeddedFlowsAreValid(t *testing.T) {
	if _, err := guidance.LoadScript(); err != nil {
		t.Fatal(err)
	}
}

func TestValidatorRejectsBrokenFlows(t *testing.T) {
	good := `id: start
nodes:
  welcome: {say: [{th: สวัสดี}], choices: [{label: {th: เมนู}, goto: menu}]}
  menu: {say: [{th: เมนู}], choices: [{label: {th: ช่วยด้วย}, goto: help}]}
  help: {say: [{th: ช่วย}]}
  fallback: {say: [{th: ไม่เข้าใจ}]}
  sticker: {say: [{th: สติกเกอร์}]}
  media: {say: [{th: รูป}]}
  location: {say: [{th: ที่อยู่}]}
  back: {say: [{th: กลับมาแล้ว}]}
  group: {say: [{th: ลาก่อน}]}
`
	cases := []struct {
		name, flow, want string
	}{
		{"valid", good, ""},
		{"choice to a missing node", strings.Replace(good, "goto: help", "goto: nowhere", 1), "unknown node start.nowhere"},
		{"unreachable node", good + "  lonely: {say: [{th: ไม่มีใครมา}]}\n", "start.lonely cannot be reached"},
		{"node that says nothing", strings.Replace(good, "help: {say: [{th: ช่วย}]}", "help: {say: []}", 1), "start.help says nothing"},
		{"missing engine node", strings.Replace(good, "  back: {say: [{th: กลับมาแล้ว}]}\n", "", 1), "required node start.back is missing"},
		{"too many quick replies", strings.Replace(good, "choices: [{label: {th: ช่วยด้วย}, goto: help}]", "choices: ["+strings.Repeat("{label: {th: ช่วย}, goto: help},", 14)+"]", 1), "14 choices"},
		{"label too long for a chip", strings.Replace(good, "{th: ช่วยด้วย}", "{th: ช่วยด้วยช่วยด้วยช่วยด้วยช่วยด้วย}", 1), "at most 20"},
		{"text over LINE's limit", strings.Replace(good, "{th: ช่วย}]", "{th: "+strings.Repeat("ก", 5001)+"}]", 1), "UTF-16 units"},
		{"unknown field set", strings.Replace(good, "goto: help}", "goto: help, set: {shoe_size: '42'}}", 1), "unknown field"},
		{"misspelt key", strings.Replace(good, "say: [{th: ช่วย}]", "sya: [{th: ช่วย}]", 1), "sya"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := guidance.LoadScriptFS(fstest.MapFS{"f/start.yaml": {Data: []byte(c.flow)}}, "f")
			if c.want == "" {
				if err != nil {
					t.Fatalf("valid flow rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
