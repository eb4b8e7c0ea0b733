package catalogio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ProfileKeys are the profile fields a profile file may give: the profile
// fields of guidance/data/fields.yaml, plus "lat" and "lng" for "location".
var ProfileKeys = []string{
	"age", "province", "district", "location", "lat", "lng", "status", "education", "need",
	"time", "hours", "budget", "travel", "device", "care", "interests", "riasec", "riasec_top",
	"strengths", "badges",
}

// ReadProfile reads a profile file (what `paitor match` takes): one JSON object
// of profile fields, with values as the profile stores them
// (guidance/data/fields.yaml). It returns them as the profile stores them, all
// strings:
//
//   - numbers and true/false become their text ("age": 19 is "19");
//   - a list becomes a comma list ("interests": ["care", "trades"] is "care,trades");
//   - "lat" and "lng" become "location" ("14.9799,102.0978");
//   - a province name or alias becomes its ISO code ("โคราช" is "TH-30");
//   - a Thai education label becomes its value ("ม.3" is "m3");
//   - empty values and null are left out.
//
// An unknown key, or a value that is an object, is an error.
func ReadProfile(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("profile: not a JSON object of profile fields: %w", err)
	}
	out := map[string]string{}
	var unknown []string
	for k, v := range raw {
		if !slices.Contains(ProfileKeys, k) {
			unknown = append(unknown, k)
			continue
		}
		c, err := jsonCell(v)
		if err != nil || (len(v) > 0 && bytes.TrimSpace(v)[0] == '{') {
			return nil, fmt.Errorf("profile: %s: want a string, a number or a list", k)
		}
		s := c.text
		if c.isList {
			s = strings.Join(c.list, ",")
		}
		if s != "" {
			out[k] = s
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("profile: unknown fields %s: the fields are %s", strings.Join(unknown, ", "), strings.Join(ProfileKeys, ", "))
	}

	lat, hasLat := out["lat"]
	lng, hasLng := out["lng"]
	delete(out, "lat")
	delete(out, "lng")
	if hasLat || hasLng {
		if !hasLat || !hasLng {
			return nil, fmt.Errorf("profile: give both lat and lng, or neither")
		}
		for _, v := range []string{lat, lng} {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return nil, fmt.Errorf("profile: %q is not a coordinate", v)
			}
		}
		if _, ok := out["location"]; ok {
			return nil, fmt.Errorf("profile: give location or lat and lng, not both")
		}
		out["location"] = lat + "," + lng
	}
	if p, ok := out["province"]; ok {
		code, ok := provinceCode(p)
		if !ok {
			return nil, fmt.Errorf("profile: province %q is not a province name or ISO code", p)
		}
		out["province"] = code
	}
	if e, ok := out["education"]; ok {
		if v, ok := educations[key(e)]; ok {
			out["education"] = v
		}
	}
	return out, nil
}
