package richmenu

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestLoadGivesTheMenusOfEachRole(t *testing.T) {
	menus, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		role, alias, chatBar string
		roles, commands      []string
	}{
		{"youth", "paitor-youth", "เมนูไปต่อ", []string{"youth", "other"},
			[]string{"แนะแนว", "หาคอร์ส/งาน", "ทักษะชีวิต", "แผนของฉัน", "เทศกาล", "ตั้งค่า"}},
		{"parent", "paitor-parent", "เมนูผู้ปกครอง", []string{"parent"},
			[]string{"เคล็ดลับตลาดงาน", "ช่วยลูกหลาน", "ยืนยันผู้ปกครอง", "เทศกาล", "ช่วยด้วย", "ตั้งค่า"}},
	}
	if len(menus) != len(want) {
		t.Fatalf("%d menus, want %d", len(menus), len(want))
	}
	for i, w := range want {
		m := menus[i]
		if m.Role != w.role || m.Alias != w.alias || m.Name != w.alias || m.ChatBarText != w.chatBar || !slices.Equal(m.Roles, w.roles) {
			t.Errorf("menu %d: role %q alias %q name %q chat bar %q roles %q; want %q %q %q %q %q",
				i, m.Role, m.Alias, m.Name, m.ChatBarText, m.Roles, w.role, w.alias, w.alias, w.chatBar, w.roles)
		}
		if got := m.Commands(); !slices.Equal(got, w.commands) {
			t.Errorf("%s commands %q, want %q", m.Role, got, w.commands)
		}
		if m.Size != (Size{2500, 1686}) || m.ImageType != "image/png" || len(m.Image) > MaxImageBytes {
			t.Errorf("%s: size %v, image %s of %d bytes", m.Role, m.Size, m.ImageType, len(m.Image))
		}
		// Two rows of three tiles that cover the whole image.
		covered := 0
		for _, a := range m.Areas {
			if a.Text != a.Label {
				t.Errorf("%s: area %q sends %q, want its label", m.Role, a.Label, a.Text)
			}
			covered += a.Bounds.Width * a.Bounds.Height
		}
		if covered != 2500*1686 {
			t.Errorf("%s: areas cover %d px², want the whole image", m.Role, covered)
		}
		req := m.Request()
		if len(req.Areas) != 6 || req.Size.Width != 2500 || req.ChatBarText != w.chatBar {
			t.Errorf("%s: request %+v", m.Role, req)
		}
	}
}

// The images' source names every tile the menus define.
func TestImageSourceShowsEveryLabel(t *testing.T) {
	html, err := os.ReadFile("images/menus.html")
	if err != nil {
		t.Fatal(err)
	}
	menus, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range menus {
		section := string(html)
		_, section, ok := strings.Cut(section, `id="`+m.Role+`"`)
		if !ok {
			t.Errorf("menus.html has no section for %s", m.Role)
			continue
		}
		section, _, _ = strings.Cut(section, `class="menu"`)
		last := -1
		for _, a := range m.Areas {
			i := strings.Index(section, ">"+a.Label+"<")
			if i < 0 {
				t.Errorf("menus.html's %s section has no tile %q", m.Role, a.Label)
			} else if i < last {
				t.Errorf("menus.html's %s section has %q out of order", m.Role, a.Label)
			}
			last = i
		}
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLoadRejectsWhatLINEWould(t *testing.T) {
	const good = `
menus:
  - role: youth
    roles: [youth, other]
    alias: paitor-youth
    name: paitor-youth
    chatBarText: เมนูไปต่อ
    image: images/a.png
    size: {width: 2500, height: 843}
    areas:
      - {label: แนะแนว, bounds: {x: 0, y: 0, width: 1250, height: 843}}
      - {label: ตั้งค่า, bounds: {x: 1250, y: 0, width: 1250, height: 843}}
`
	img := pngOf(t, 2500, 843)
	read := func(imgs map[string][]byte) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if b, ok := imgs[name]; ok {
				return b, nil
			}
			return nil, os.ErrNotExist
		}
	}
	ok := read(map[string][]byte{"images/a.png": img})
	if _, err := parse([]byte(good), ok); err != nil {
		t.Fatalf("the good menu: %v", err)
	}
	areas := "    areas:\n"
	for i := range 21 {
		areas += "      - {label: x, bounds: {x: " + string(rune('0'+i%10)) + ", y: 0, width: 10, height: 10}}\n"
	}
	second := strings.Replace(good[len("\nmenus:\n"):], "role: youth", "role: parent", 1)
	cases := []struct {
		name, yaml string
		read       func(string) ([]byte, error)
		want       string
	}{
		{"chat bar text over 14 characters", strings.Replace(good, "เมนูไปต่อ", "เมนูไปต่อสำหรับทุกคน", 1), ok, "chatBarText"},
		{"area outside the image", strings.Replace(good, "x: 1250, y: 0, width: 1250", "x: 1251, y: 0, width: 1250", 1), ok, "not inside"},
		{"area with negative x", strings.Replace(good, "x: 0, y: 0", "x: -1, y: 0", 1), ok, "not inside"},
		{"21 areas", good[:strings.Index(good, "    areas:")] + areas, ok, "21 areas"},
		{"no areas", good[:strings.Index(good, "    areas:")], ok, "0 areas"},
		{"label over 20 characters", strings.Replace(good, "label: แนะแนว", "label: แนะแนวการศึกษาและอาชีพสำหรับเยาวชน", 1), ok, "label"},
		{"bad alias", strings.Replace(good, "alias: paitor-youth", "alias: ไปต่อ", 1), ok, "alias"},
		{"menu too narrow", strings.Replace(good, "width: 2500, height: 843", "width: 2500, height: 1800", 1), ok, "size"},
		{"image of another size", good, read(map[string][]byte{"images/a.png": pngOf(t, 2500, 1686)}), "is 2500×1686"},
		{"image over 1 MB", good, read(map[string][]byte{"images/a.png": append(slices.Clone(img), make([]byte, MaxImageBytes)...)}), "bytes"},
		{"image not an image", good, read(map[string][]byte{"images/a.png": []byte("GIF89a")}), "image"},
		{"image missing", good, read(nil), "not exist"},
		{"unknown field", strings.Replace(good, "chatBarText:", "chatbartext:", 1), ok, "not found"},
		{"two menus with one alias", good + "  - " + strings.TrimPrefix(strings.Replace(second, "roles: [youth, other]", "roles: [parent]", 1), "  - "), ok, "share the alias"},
		{"one user role in two menus", good + "  - " + strings.TrimPrefix(strings.NewReplacer("alias: paitor-youth", "alias: p", "name: paitor-youth", "name: p", "roles: [youth, other]", "roles: [parent, other]").Replace(second), "  - "), ok, `user role "other"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse([]byte(tc.yaml), tc.read)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}
