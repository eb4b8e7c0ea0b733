package match

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/guidance/assess"
)

//go:embed weights.yaml
var weightsYAML []byte

//go:embed reasons.yaml
var reasonsYAML []byte

// Score components, in the order Breakdown lists them.
const (
	compField = iota
	compRiasec
	compGoal
	compCost
	compDistance
	compSchedule
	compAccess
	compEarns
	compDemand
	compSkills
	compFeedback
	compText
	numComps
)

var compNames = [numComps]string{"field", "riasec", "goal", "cost", "distance", "schedule", "access", "earns", "demand", "skills", "feedback", "text"}

// Limits are the thresholds of weights.yaml "limits".
type Limits struct {
	StartWithinDays  int     `yaml:"start_within_days"`
	AnyKm            float64 `yaml:"any_km"`
	DistanceScaleKm  float64 `yaml:"distance_scale_km"`
	NearKm           float64 `yaml:"near_km"`
	PairKm           float64 `yaml:"pair_km"`
	LittleHoursWeek  float64 `yaml:"little_hours_week"`
	EveningFrom      string  `yaml:"evening_from"`
	ShortCourseHours int     `yaml:"short_course_hours"`
	FullPayBaht      float64 `yaml:"full_pay_baht"`
	FeedbackVotes    float64 `yaml:"feedback_votes"`
	OnlineDistance   float64 `yaml:"online_distance"`
	SelfPacedFit     float64 `yaml:"self_paced_fit"`
	CompatibleFit    float64 `yaml:"compatible_fit"`
	PerProvider      int     `yaml:"per_provider"`
	PoolFactor       int     `yaml:"pool_factor"`
	Pairs            int     `yaml:"pairs"`
	Gaps             int     `yaml:"gaps"`
}

type weightFile struct {
	Weights       map[string]float64 `yaml:"weights"`
	Limits        Limits             `yaml:"limits"`
	RelatedFields [][]string         `yaml:"related_fields"`
}

// Reason is one short phrase saying why an item is suggested.
type Reason struct{ TH, EN string }

type reasonFile struct {
	Reasons   map[string]Reason `yaml:"reasons"`
	Fields    map[string]Reason `yaml:"fields"`
	Regions   map[string]Reason `yaml:"regions"`
	Units     map[string]Reason `yaml:"units"`
	Education map[string]Reason `yaml:"education"`
}

func (r *Reason) UnmarshalYAML(n *yaml.Node) error {
	var v struct {
		TH string `yaml:"th"`
		EN string `yaml:"en"`
	}
	if err := n.Decode(&v); err != nil {
		return err
	}
	if v.TH == "" || v.EN == "" {
		return fmt.Errorf("line %d: th and en are both required", n.Line)
	}
	r.TH, r.EN = v.TH, v.EN
	return nil
}

// config is weights.yaml and reasons.yaml, loaded and checked.
type config struct {
	weights  [numComps]float64
	limits   Limits
	eveningM int
	related  [][]bool // by field index
	text     reasonFile
	riasec   map[string]Reason // RIASEC code names (assess)
	// skillBit numbers the skill tags the strengths questions ask about
	// (at most 8): only these can be missing from a person's profile.
	skillBit   map[string]uint8
	skillNames []string
}

var cfg = mustConfig(weightsYAML, reasonsYAML)

// fields are the occupation families in assess order; an item's field is an
// index into it (-1 unknown).
var fields = content.Fields()

func fieldIndex(f string) int8 {
	return int8(slices.Index(fields, f))
}

// reasonKeys are the phrases the code uses; reasons.yaml must have each.
var reasonKeys = []string{
	"near", "near_lt1", "in_province", "far", "online", "free", "free_allowance", "allowance", "cost", "pay",
	"weekend_course", "weekend_job", "evening_course", "evening_job", "weekday_course", "self_paced",
	"short_course", "few_hours_job", "certificate", "credit_bank", "tpqi", "field", "riasec", "training",
	"dual", "school_break", "demand", "demand_province", "skills", "text", "open", "pair", "pair_times", "pair_km",
	"pair_online", "gap", "gap_edu",
}

func mustConfig(w, r []byte) *config {
	c, err := loadConfig(w, r)
	if err != nil {
		panic("match: " + err.Error())
	}
	return c
}

func strict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func loadConfig(w, r []byte) (*config, error) {
	var wf weightFile
	if err := strict(w, &wf); err != nil {
		return nil, fmt.Errorf("weights.yaml: %w", err)
	}
	c := &config{limits: wf.Limits}
	for name, v := range wf.Weights {
		i := slices.Index(compNames[:], name)
		if i < 0 {
			return nil, fmt.Errorf("weights.yaml: unknown component %q", name)
		}
		if v < 0 {
			return nil, fmt.Errorf("weights.yaml: %s: negative weight", name)
		}
		c.weights[i] = v
	}
	for i, n := range compNames {
		if _, ok := wf.Weights[n]; !ok {
			return nil, fmt.Errorf("weights.yaml: no weight for %s", compNames[i])
		}
	}
	l := c.limits
	if l.StartWithinDays <= 0 || l.AnyKm <= 0 || l.DistanceScaleKm <= 0 || l.NearKm <= 0 || l.PairKm <= 0 ||
		l.LittleHoursWeek <= 0 || l.FullPayBaht <= 0 || l.FeedbackVotes <= 0 || l.PerProvider <= 0 ||
		l.PoolFactor <= 0 || l.ShortCourseHours <= 0 {
		return nil, fmt.Errorf("weights.yaml: every limit must be positive")
	}
	m, ok := parseClock(l.EveningFrom)
	if !ok {
		return nil, fmt.Errorf("weights.yaml: evening_from %q is not HH:MM", l.EveningFrom)
	}
	c.eveningM = m
	c.related = make([][]bool, len(fields))
	for i := range c.related {
		c.related[i] = make([]bool, len(fields))
		c.related[i][i] = true
	}
	for _, grp := range wf.RelatedFields {
		for _, a := range grp {
			ia := fieldIndex(a)
			if ia < 0 {
				return nil, fmt.Errorf("weights.yaml: related_fields: unknown field %q", a)
			}
			for _, b := range grp {
				c.related[ia][fieldIndex(b)] = true
			}
		}
	}

	if err := strict(r, &c.text); err != nil {
		return nil, fmt.Errorf("reasons.yaml: %w", err)
	}
	for _, k := range reasonKeys {
		if _, ok := c.text.Reasons[k]; !ok {
			return nil, fmt.Errorf("reasons.yaml: reasons: %s is missing", k)
		}
	}
	for k := range c.text.Reasons {
		if !slices.Contains(reasonKeys, k) {
			return nil, fmt.Errorf("reasons.yaml: reasons: %s is not used", k)
		}
	}
	for _, f := range fields {
		if _, ok := c.text.Fields[f]; !ok {
			return nil, fmt.Errorf("reasons.yaml: fields: %s is missing", f)
		}
	}
	for _, rg := range place.Regions() {
		if _, ok := c.text.Regions[rg]; !ok {
			return nil, fmt.Errorf("reasons.yaml: regions: %s is missing", rg)
		}
	}
	inv, err := assess.Load()
	if err != nil {
		return nil, err
	}
	c.riasec = map[string]Reason{}
	for _, l := range content.InterestCodes {
		code := inv.Codes[l]
		c.riasec[l] = Reason{TH: code.NameTH, EN: strings.ToLower(code.NameEN)}
	}
	c.skillBit = map[string]uint8{}
	for _, s := range inv.Strengths {
		name := normSkill(s.Skill)
		if _, dup := c.skillBit[name]; dup {
			continue
		}
		if len(c.skillNames) == 8 {
			return nil, fmt.Errorf("assess: more than 8 strength skills")
		}
		c.skillBit[name] = uint8(len(c.skillNames))
		c.skillNames = append(c.skillNames, name)
	}
	for _, u := range []string{"hour", "day", "month"} {
		if _, ok := c.text.Units[u]; !ok {
			return nil, fmt.Errorf("reasons.yaml: units: %s is missing", u)
		}
	}
	for _, e := range []string{"p6", "m3", "m6", "pvc", "hvc", "bachelor"} {
		if _, ok := c.text.Education[e]; !ok {
			return nil, fmt.Errorf("reasons.yaml: education: %s is missing", e)
		}
	}
	return c, nil
}

// phrase fills a reasons.yaml template; args are placeholder/value pairs,
// each value a string, or a Reason when Thai and English differ
// ("เชียงใหม่"/"Chiang Mai").
func phrase(key string, args ...any) Reason {
	out := cfg.text.Reasons[key]
	for i := 0; i+1 < len(args); i += 2 {
		name := "{" + args[i].(string) + "}"
		var th, en string
		switch v := args[i+1].(type) {
		case Reason:
			th, en = v.TH, v.EN
		case string:
			th, en = v, v
		default:
			th = fmt.Sprint(v)
			en = th
		}
		out.TH = strings.Replace(out.TH, name, th, 1)
		out.EN = strings.Replace(out.EN, name, en, 1)
	}
	return out
}

// thousands writes n with thousands separators: 1500 → "1,500".
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
