package guidance_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paitor/paitor/guidance"
)

func TestEmbeddedFlowsLoadAndPassTheValidator(t *testing.T) {
	s, err := guidance.LoadScript()
	if err != nil {
		t.Fatal(err)
	}
	for _, node := range []string{
		guidance.NodeWelcome, guidance.NodeMenu, guidance.NodeFallback, guidance.NodeCrisis,
		guidance.NodeCheckin, guidance.NodeGuardianConfirmed, "discover.q01", "lesson.menu", "plan.show",
	} {
		if !s.HasNode(node) {
			t.Errorf("node %s is missing", node)
		}
	}
}

// A minimal set of flows that passes the validator: every node the engine
// needs, and something leading to each generated flow (inventory, strengths,
// lessons, plan steps).
var baseFlows = map[string]string{
	"start.yaml": `id: start
nodes:
  welcome:
    say: [{th: สวัสดี}]
    choices: [{label: {th: เมนู}, goto: menu}]
  menu:
    say: [{th: เมนูหลัก}]
    choices:
      - {label: {th: แบบทดสอบ}, goto: discover.q01}
      - {label: {th: ทักษะ}, goto: discover.s01}
      - {label: {th: บทเรียน}, goto: lesson.menu}
      - {label: {th: แผน}, goto: plan.show}
      - {label: {th: เปลี่ยนแผน}, goto: plan.change}
      - {label: {th: ช่วยด้วย}, goto: help}
  help: {say: [{th: ช่วย}]}
  fallback: {say: [{th: ไม่เข้าใจ}]}
  sticker: {say: [{th: สติกเกอร์}]}
  media: {say: [{th: รูป}]}
  location: {say: [{th: ที่อยู่}]}
  back: {say: [{th: กลับมาแล้ว}]}
  group: {say: [{th: ลาก่อน}]}
  error: {say: [{th: ขัดข้อง}]}
`,
	"safety.yaml": `id: safety
nodes:
  crisis:
    say: [{th: "โทร 1323"}]
    action: handoff
    args: {reason: crisis, urgent: "true"}
    next: start.menu
`,
	"checkin.yaml": `id: checkin
nodes:
  ask: {say: [{th: เป็นอย่างไรบ้าง}]}
`,
	"consent.yaml": `id: consent
nodes:
  guardian_confirmed: {say: [{th: ผู้ปกครองยืนยันแล้ว}]}
`,
	"browse.yaml": `id: browse
nodes:
  detail: {say: [{th: รายละเอียด}]}
  save: {say: [{th: บันทึก}]}
  up: {say: [{th: ขอบคุณ}]}
  down: {say: [{th: ขอบคุณ}]}
  search: {say: [{th: ค้นหา}]}
  reminder: {say: [{th: เตือน}]}
`,
	"festival.yaml": `id: festival
nodes:
  reminder: {say: [{th: เตือน}]}
  remind: {say: [{th: จะเตือน}]}
  optout: {say: [{th: ไม่ส่งแล้ว}]}
`,
	"guide.yaml": `id: guide
nodes:
  after_result: {say: [{th: ผลของคุณ}]}
  after_strengths: {say: [{th: ขอบคุณ}]}
`,
	"plan.yaml": `id: plan
nodes:
  show:
    action: plan_propose
  change:
    branch:
      - {when: need == income, goto: planstep.income}
      - {when: need == qualification, goto: planstep.qualification}
      - {goto: planstep.unsure}
`,
}

// flowsWith returns the base flows with one file changed by a replacement
// (old must occur) or, with old == "", by appending text.
func flowsWith(t *testing.T, file, old, new string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range baseFlows {
		if name == file {
			if old == "" {
				body += new
			} else {
				if !strings.Contains(body, old) {
					t.Fatalf("%s does not contain %q", file, old)
				}
				body = strings.Replace(body, old, new, 1)
			}
		}
		fsys["f/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	if _, ok := baseFlows[file]; !ok {
		fsys["f/"+file] = &fstest.MapFile{Data: []byte(new)}
	}
	return fsys
}

const menuChoice = "      - {label: {th: ช่วยด้วย}, goto: help}\n"

// extraNode adds a node to the start flow, reached from the main menu.
func extraNode(t *testing.T, name, body string) fstest.MapFS {
	t.Helper()
	return flowsWith(t, "start.yaml", menuChoice,
		menuChoice+"      - {label: {th: ไปดู}, goto: "+name+"}\n  "+name+": "+body+"\n")
}

func TestValidatorRejectsBrokenFlowsNamingTheProblem(t *testing.T) {
	long := strings.Repeat("ก", 5001)
	emoji := strings.Repeat("🙂", 2501) // 2,501 characters but 5,002 UTF-16 units
	var chips14 []string
	for range 14 {
		chips14 = append(chips14, "{label: {th: ช่วย}, goto: help}")
	}
	cases := []struct {
		name string
		fsys fstest.MapFS
		want string // "" when the flows are valid
	}{
		{"the minimal base is valid", flowsWith(t, "start.yaml", "", ""), ""},
		{"a node may say text at LINE's limit", extraNode(t, "big", `{say: [{th: "`+strings.Repeat("ก", 5000)+`"}]}`), ""},
		{"choice to a missing node", flowsWith(t, "start.yaml", "goto: help}", "goto: nowhere}"),
			"goes to unknown node start.nowhere"},
		{"choice to a missing node of another flow", flowsWith(t, "start.yaml", "goto: help}", "goto: browse.courses}"),
			"goes to unknown node browse.courses"},
		{"unreachable node", flowsWith(t, "start.yaml", "", "  lonely: {say: [{th: ไม่มีใครมา}]}\n"),
			"start.lonely cannot be reached"},
		{"a node that waits but says nothing", extraNode(t, "quiet", `{choices: [{label: {th: เมนู}, goto: menu}]}`),
			"start.quiet waits for an answer but says nothing"},
		{"a question that says nothing", extraNode(t, "mute", `{ask: {field: need, retry: {th: แตะเลือก}}}`),
			"start.mute waits for an answer but says nothing"},
		{"too many quick replies", extraNode(t, "crowded", `{say: [{th: เลือก}], choices: [`+strings.Join(chips14, ", ")+`]}`),
			"start.crowded offers 14 choices (at most 13 quick replies)"},
		{"a label over 20 characters", flowsWith(t, "start.yaml", "{th: ช่วยด้วย}", "{th: ช่วยด้วยช่วยด้วยช่วยด้วยช่วยด้วย}"),
			"is 32 characters (at most 20)"},
		{"an English label over 20 characters", flowsWith(t, "start.yaml", "{th: ช่วยด้วย}", "{th: ช่วยด้วย, en: Please help me right now}"),
			"\"Please help me right now\" is 24 characters"},
		{"text over 5,000 UTF-16 units", flowsWith(t, "start.yaml", "{th: ช่วย}", "{th: "+long+"}"),
			"start.help say[0] is 5001 UTF-16 units (at most 5000)"},
		{"emoji count twice towards LINE's limit", flowsWith(t, "start.yaml", "{th: ช่วย}", `{th: ช่วย, en: "`+emoji+`"}`),
			"start.help say[0] is 5002 UTF-16 units"},
		{"a node saying more than 4 messages", flowsWith(t, "start.yaml", "{say: [{th: ช่วย}]}", "{say: [{th: ก}, {th: ข}, {th: ค}, {th: ง}, {th: จ}]}"),
			"start.help says 5 messages (at most 4)"},
		{"a text with no Thai", flowsWith(t, "start.yaml", "{th: ช่วย}", "{en: Help}"),
			"start.help say[0] has no Thai text"},
		{"a set of an unknown field", flowsWith(t, "start.yaml", "goto: help}", "goto: help, set: {shoe_size: '42'}}"),
			`sets unknown field "shoe_size"`},
		{"a value not allowed for a field", flowsWith(t, "start.yaml", "help: {say: [{th: ช่วย}]}", "help: {set: {role: admin}, say: [{th: ช่วย}]}"),
			`role: "admin" is not one of [youth parent other]`},
		{"a number out of a field's range", flowsWith(t, "start.yaml", "help: {say: [{th: ช่วย}]}", "help: {set: {age: '500'}, say: [{th: ช่วย}]}"),
			`age: "500" is not a number from 10 to 99`},
		{"a field only the edge may set", flowsWith(t, "start.yaml", "help: {say: [{th: ช่วย}]}", "help: {set: {plan: saved}, say: [{th: ช่วย}]}"),
			`sets "plan", which only the edge may set`},
		{"a question with a value not allowed", extraNode(t, "q", `{say: [{th: ต้องการอะไร}], ask: {field: need, retry: {th: แตะ}, choices: [{label: {th: เงิน}, value: money}]}}`),
			`need: "money" is not one of`},
		{"a question without a retry text", extraNode(t, "q", `{say: [{th: ต้องการอะไร}], ask: {field: need}}`),
			"start.q asks without a retry text"},
		{"a question whose choices have typed synonyms", extraNode(t, "q", `{say: [{th: ต้องการอะไร}], ask: {field: need, retry: {th: แตะ}, choices: [{label: {th: เงิน}, value: income, also: [ตังค์, "ได้เงิน"]}, {label: {th: วุฒิ}, value: qualification, also: [ใบเซอร์]}]}}`),
			""},
		{"a synonym two choices of a question share", extraNode(t, "q", `{say: [{th: ต้องการอะไร}], ask: {field: need, retry: {th: แตะ}, choices: [{label: {th: เงิน}, value: income, also: [อยากได้]}, {label: {th: วุฒิ}, value: qualification, also: ["อยาก ได้!"]}]}}`),
			`"อยากได้" reads as choice "เงิน" and as choice "วุฒิ"`},
		{"a synonym that is another choice's label", extraNode(t, "c", `{say: [{th: เลือก}], choices: [{label: {th: ช่วย}, goto: help, also: [เมนู]}, {label: {th: เมนู}, goto: menu}]}`),
			`"เมนู" reads as choice "ช่วย" and as choice "เมนู"`},
		{"synonyms that only hold one another are not ambiguous", extraNode(t, "q", `{say: [{th: ว่างไหม}], ask: {field: time, retry: {th: แตะ}, choices: [{label: {th: เย็น}, value: evening, also: [ตอนเย็น]}, {label: {th: ทุกช่วง}, value: anytime, also: [เย็นก็ได้]}]}}`),
			""},
		{"an empty synonym", extraNode(t, "q", `{say: [{th: ต้องการอะไร}], ask: {field: need, retry: {th: แตะ}, choices: [{label: {th: เงิน}, value: income, also: [""]}]}}`),
			`start.q choice "เงิน" has an empty synonym`},
		{"a synonym of punctuation only", extraNode(t, "c", `{say: [{th: เลือก}], choices: [{label: {th: ช่วย}, goto: help, also: ["?!"]}]}`),
			`start.c choice "ช่วย" has an empty synonym`},
		{"a synonym over 40 characters", extraNode(t, "c", `{say: [{th: เลือก}], choices: [{label: {th: ช่วย}, goto: help, also: [`+strings.Repeat("ก", 41)+`]}]}`),
			"is 41 characters (at most 40)"},
		{"a question for an unknown field", extraNode(t, "q", `{say: [{th: ชื่ออะไร}], ask: {field: nickname, retry: {th: พิมพ์ชื่อ}}}`),
			`start.q asks for unknown field "nickname"`},
		{"a text naming an unknown field", flowsWith(t, "start.yaml", "{th: ช่วย}", `{th: "สวัสดี {{nickname}}"}`),
			"start.help says {{nickname}}, an unknown field"},
		{"an action that also waits", flowsWith(t, "start.yaml", "help: {say: [{th: ช่วย}]}", "help: {say: [{th: ช่วย}], action: my_data, choices: [{label: {th: เมนู}, goto: menu}]}"),
			"start.help runs an action and waits"},
		{"a fail route without an action", flowsWith(t, "start.yaml", "help: {say: [{th: ช่วย}]}", "help: {say: [{th: ช่วย}], fail: error}"),
			"start.help has a fail route but no action that can fail"},
		{"a branch whose last rule has a condition", flowsWith(t, "plan.yaml", "- {goto: planstep.unsure}", "- {when: need == unsure, goto: planstep.unsure}"),
			"plan.change: the last branch must have no condition"},
		{"a branch that also moves on", flowsWith(t, "plan.yaml", "  change:\n", "  change:\n    next: show\n"),
			"plan.change branches and also waits or moves on"},
		{"a silent loop", extraNode(t, "a", "{say: [{th: เอ}], next: b}\n  b: {say: [{th: บี}], next: a}"),
			"loops without waiting for the person"},
		{"a silent loop through a branch", extraNode(t, "a", "{say: [{th: เอ}], next: b}\n  b: {branch: [{goto: a}]}"),
			"loops without waiting for the person"},
		{"a misspelt key", flowsWith(t, "start.yaml", "help: {say: [{th: ช่วย}]}", "help: {sya: [{th: ช่วย}]}"),
			"field sya not found"},
		{"a misspelt key inside a choice", flowsWith(t, "start.yaml", "{label: {th: ช่วยด้วย}, goto: help}", "{label: {th: ช่วยด้วย}, gotp: help}"),
			"field gotp not found"},
		{"a condition on an unknown field", flowsWith(t, "plan.yaml", "when: need == income", "when: mood == happy"),
			`tests unknown field "mood"`},
		{"a condition comparing with a non-number", flowsWith(t, "plan.yaml", "when: need == income", "when: age < young"),
			"compares with a non-number"},
		{"a condition that does not parse", flowsWith(t, "plan.yaml", "when: need == income", "when: need is income"),
			`condition "need is income"`},
		{"a missing engine node", flowsWith(t, "start.yaml", "  back: {say: [{th: กลับมาแล้ว}]}\n", ""),
			"required node start.back is missing"},
		{"a menu without choices", flowsWith(t, "start.yaml", "  menu:\n", "  menu_old:\n"),
			"required node start.menu is missing"},
		{"a command to a missing node", flowsWith(t, "commands.yaml", "", "commands:\n  - {words: [ไปไหน], goto: start.nowhere}\n"),
			"command ไปไหน: it goes to unknown node start.nowhere"},
		{"a command that does nothing", flowsWith(t, "commands.yaml", "", "commands:\n  - {words: [เฉย]}\n"),
			"does nothing"},
		{"a flow id with a dot", flowsWith(t, "extra.yaml", "", "id: a.b\nnodes: {}\n"),
			`flow id "a.b" must be set and contain no dot`},
		{"a node defined twice", flowsWith(t, "extra.yaml", "", "id: start\nnodes:\n  help: {say: [{th: อีกครั้ง}]}\n"),
			"node start.help defined twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := guidance.LoadScriptFS(c.fsys, "f")
			if c.want == "" {
				if err != nil {
					t.Fatalf("valid flows rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("broken flows accepted, want an error mentioning %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v\nwant it to mention %q", err, c.want)
			}
		})
	}
}

func TestValidatorRejectsASynonymThatIsACommandWord(t *testing.T) {
	fsys := extraNode(t, "c", `{say: [{th: เลือก}], choices: [{label: {th: ช่วย}, goto: help, also: [ไปไหน, "ไป ไหน ค่ะ"]}]}`)
	fsys["f/commands.yaml"] = &fstest.MapFile{Data: []byte("commands:\n  - {words: [ไปไหน], goto: start.help}\n")}
	_, err := guidance.LoadScriptFS(fsys, "f")
	if err == nil || !strings.Contains(err.Error(), `synonym "ไปไหน" is a command word`) {
		t.Fatalf("error = %v, want the synonym named as a command word", err)
	}
}

func TestValidatorListsEveryProblemAtOnce(t *testing.T) {
	fsys := flowsWith(t, "start.yaml", "help: {say: [{th: ช่วย}]}",
		"help: {say: [{th: ช่วย}], fail: error, set: {shoe_size: '1'}}\n  lonely: {say: [{th: เหงา}]}")
	_, err := guidance.LoadScriptFS(fsys, "f")
	if err == nil {
		t.Fatal("broken flows accepted")
	}
	for _, want := range []string{"start.help has a fail route", "shoe_size", "start.lonely cannot be reached"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

// The engine does not know what the edge can do: it lists every action the
// flows call that it does not do itself, with the nodes calling it, and the
// edge refuses to start unless it has a handler for each (bot/actions).
func TestEdgeActionsListsWhatTheFlowsCallWithTheirNodes(t *testing.T) {
	s, err := guidance.LoadScriptFS(flowsWith(t, "start.yaml", "help: {say: [{th: ช่วย}]}", "help: {say: [{th: ช่วย}], action: launch_rockets}"), "f")
	if err != nil {
		t.Fatal(err)
	}
	got := s.EdgeActions()
	if nodes := got["launch_rockets"]; len(nodes) != 1 || nodes[0] != "start.help" {
		t.Errorf("launch_rockets called from %v, want [start.help]", nodes)
	}
	if nodes := got["handoff"]; len(nodes) != 1 || nodes[0] != "safety.crisis" {
		t.Errorf("handoff called from %v, want [safety.crisis]", nodes)
	}
	if _, ok := got["plan_propose"]; ok {
		t.Error("plan_propose is done by the engine itself, yet listed for the edge")
	}
}

func TestACommandWordBeatsAnEarlierCommandThatTakesAValue(t *testing.T) {
	fsys := flowsWith(t, "commands.yaml", "", `commands:
  - {words: [ยืนยัน], arg: _code, goto: start.help}
  - {words: [ยืนยันผู้ปกครอง], goto: start.welcome}
`)
	s, err := guidance.LoadScriptFS(fsys, "f")
	if err != nil {
		t.Fatal(err)
	}
	turn := s.Respond(&guidance.Session{}, guidance.Person{}, text("ยืนยันผู้ปกครอง"), now)
	if turn.Session.Node != "start.welcome" || turn.Session.Vars["_code"] != "" {
		t.Fatalf("→ %s vars %v, want the exact command", turn.Session.Node, turn.Session.Vars)
	}
	turn = s.Respond(&guidance.Session{}, guidance.Person{}, text("ยืนยัน XY12"), now)
	if turn.Session.Vars["_code"] != "xy12" {
		t.Fatalf("vars %v, want _code=xy12", turn.Session.Vars)
	}
}
