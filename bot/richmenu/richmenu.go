// Package richmenu holds Pai Tor's rich menus per role as data.
//
// menus.yaml (embedded) describes one menu per role: its alias, chat bar
// text, image and tap areas, each area sending a Thai command word as a
// message. The images (images/*.png) are rendered from images/menus.html by
// images/render.sh and embedded too. Load reads and checks them against LINE's
// limits; Install puts them on the channel (the `paitor richmenu` command);
// Linker shows a user the menu of the role they picked. The bot works without
// rich menus: Linker reports ErrNotInstalled, which callers ignore.
package richmenu

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG for image.DecodeConfig
	_ "image/png"  // registers PNG for image.DecodeConfig
	"path"
	"regexp"
	"unicode/utf8"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"gopkg.in/yaml.v3"
)

//go:embed menus.yaml images/*.png
var files embed.FS

// LINE's rich menu limits.
const (
	MaxAreas       = 20
	MaxChatBarText = 14      // characters
	MaxLabel       = 20      // characters
	MaxText        = 300     // characters of a message action's text
	MaxName        = 300     // characters
	MaxImageBytes  = 1 << 20 // PNG or JPEG
	MinWidth       = 800
	MaxWidth       = 2500
	MinHeight      = 250
	MinAspect      = 1.45 // width / height
)

// aliasRE is LINE's rule for rich menu alias IDs.
var aliasRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Menu is one rich menu.
type Menu struct {
	Role        string   `yaml:"role"`  // the menu's own name, e.g. "youth"
	Roles       []string `yaml:"roles"` // user roles shown this menu, e.g. youth and other
	Alias       string   `yaml:"alias"` // rich menu alias the bot resolves, e.g. paitor-youth
	Name        string   `yaml:"name"`  // LINE's menu name (not shown); Install replaces menus of the same name
	ChatBarText string   `yaml:"chatBarText"`
	Selected    bool     `yaml:"selected"` // open the menu when the chat opens
	Size        Size     `yaml:"size"`
	Areas       []Area   `yaml:"areas"`
	ImageFile   string   `yaml:"image"` // relative to this package, e.g. images/youth.png
	Image       []byte   `yaml:"-"`     // the image's bytes (set by Load)
	ImageType   string   `yaml:"-"`     // image/png or image/jpeg (set by Load)
}

// Size is a menu's size in pixels, which is also its image's size.
type Size struct {
	Width  int `yaml:"width"`
	Height int `yaml:"height"`
}

// Bounds is a tap area in image pixels.
type Bounds struct {
	X      int `yaml:"x"`
	Y      int `yaml:"y"`
	Width  int `yaml:"width"`
	Height int `yaml:"height"`
}

// Area is one tappable part of a menu: tapping it sends Text (the command
// word) as the user's message.
type Area struct {
	Label  string `yaml:"label"`
	Text   string `yaml:"text"` // defaults to Label
	Bounds Bounds `yaml:"bounds"`
}

// Request returns the menu as LINE's create request: every area a message
// action.
func (m Menu) Request() messaging_api.RichMenuRequest {
	areas := make([]messaging_api.RichMenuArea, len(m.Areas))
	for i, a := range m.Areas {
		b := a.Bounds
		areas[i] = messaging_api.RichMenuArea{
			Bounds: &messaging_api.RichMenuBounds{X: int64(b.X), Y: int64(b.Y), Width: int64(b.Width), Height: int64(b.Height)},
			Action: &messaging_api.MessageAction{Label: a.Label, Text: a.Text},
		}
	}
	return messaging_api.RichMenuRequest{
		Size:        &messaging_api.RichMenuSize{Width: int64(m.Size.Width), Height: int64(m.Size.Height)},
		Selected:    m.Selected,
		Name:        m.Name,
		ChatBarText: m.ChatBarText,
		Areas:       areas,
	}
}

// Commands returns the texts the menu's areas send, in order: the command
// words the bot must understand.
func (m Menu) Commands() []string {
	out := make([]string, len(m.Areas))
	for i, a := range m.Areas {
		out[i] = a.Text
	}
	return out
}

// Load returns the embedded menus with their images, checked against LINE's
// limits.
func Load() ([]Menu, error) {
	data, err := files.ReadFile("menus.yaml")
	if err != nil {
		return nil, err
	}
	return parse(data, files.ReadFile)
}

// parse decodes menus.yaml, reads each image with readFile and checks
// everything.
func parse(data []byte, readFile func(string) ([]byte, error)) ([]Menu, error) {
	menus, err := decode(data)
	if err != nil {
		return nil, err
	}
	for i := range menus {
		m := &menus[i]
		if m.ImageFile == "" {
			return nil, fmt.Errorf("richmenu: menu %q: image missing", m.Role)
		}
		if m.Image, err = readFile(path.Clean(m.ImageFile)); err != nil {
			return nil, fmt.Errorf("richmenu: menu %q: %w", m.Role, err)
		}
		if err := m.Validate(); err != nil {
			return nil, err
		}
	}
	return menus, nil
}

// decode reads menus.yaml without the images (enough to map roles to
// aliases) and checks that roles, aliases and names are unique.
func decode(data []byte) ([]Menu, error) {
	var doc struct {
		Menus []Menu `yaml:"menus"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("richmenu: menus.yaml: %w", err)
	}
	if len(doc.Menus) == 0 {
		return nil, errors.New("richmenu: menus.yaml has no menus")
	}
	seen := map[string]string{}
	unique := func(kind, v, menu string) error {
		if v == "" {
			return fmt.Errorf("richmenu: menu %q: %s missing", menu, kind)
		}
		if other, dup := seen[kind+"\x00"+v]; dup {
			return fmt.Errorf("richmenu: menus %q and %q share the %s %q", other, menu, kind, v)
		}
		seen[kind+"\x00"+v] = menu
		return nil
	}
	for i := range doc.Menus {
		m := &doc.Menus[i]
		if m.Role == "" {
			return nil, fmt.Errorf("richmenu: menu %d: role missing", i+1)
		}
		if err := unique("role", m.Role, m.Role); err != nil {
			return nil, err
		}
		if err := unique("alias", m.Alias, m.Role); err != nil {
			return nil, err
		}
		if err := unique("name", m.Name, m.Role); err != nil {
			return nil, err
		}
		if len(m.Roles) == 0 {
			m.Roles = []string{m.Role}
		}
		for _, r := range m.Roles {
			if err := unique("user role", r, m.Role); err != nil {
				return nil, err
			}
		}
		for j := range m.Areas {
			if m.Areas[j].Text == "" {
				m.Areas[j].Text = m.Areas[j].Label
			}
		}
	}
	return doc.Menus, nil
}

// Validate checks the menu against LINE's limits: alias and name, chat bar
// text, areas inside the image, labels and texts, and an image of at most
// 1 MB whose decoded size is the menu's size. It sets ImageType.
func (m *Menu) Validate() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("richmenu: menu %q: %s", m.Role, fmt.Sprintf(format, args...))
	}
	if !aliasRE.MatchString(m.Alias) {
		return fail("alias %q must be 1 to 32 letters, digits, _ or -", m.Alias)
	}
	if n := utf8.RuneCountInString(m.Name); n == 0 || n > MaxName {
		return fail("name must be 1 to %d characters (is %d)", MaxName, n)
	}
	if n := utf8.RuneCountInString(m.ChatBarText); n == 0 || n > MaxChatBarText {
		return fail("chatBarText %q must be 1 to %d characters (is %d)", m.ChatBarText, MaxChatBarText, n)
	}
	w, h := m.Size.Width, m.Size.Height
	if w < MinWidth || w > MaxWidth || h < MinHeight || float64(w) < MinAspect*float64(h) {
		return fail("size %d×%d: width must be %d to %d, height at least %d, width/height at least %.2f", w, h, MinWidth, MaxWidth, MinHeight, MinAspect)
	}
	if len(m.Areas) == 0 || len(m.Areas) > MaxAreas {
		return fail("%d areas (1 to %d allowed)", len(m.Areas), MaxAreas)
	}
	for i, a := range m.Areas {
		if n := utf8.RuneCountInString(a.Label); n == 0 || n > MaxLabel {
			return fail("area %d: label %q must be 1 to %d characters (is %d)", i+1, a.Label, MaxLabel, n)
		}
		if n := utf8.RuneCountInString(a.Text); n == 0 || n > MaxText {
			return fail("area %d (%s): text must be 1 to %d characters (is %d)", i+1, a.Label, MaxText, n)
		}
		b := a.Bounds
		if b.X < 0 || b.Y < 0 || b.Width <= 0 || b.Height <= 0 || b.X+b.Width > w || b.Y+b.Height > h {
			return fail("area %d (%s): bounds x=%d y=%d %d×%d are not inside the %d×%d image", i+1, a.Label, b.X, b.Y, b.Width, b.Height, w, h)
		}
	}
	if n := len(m.Image); n == 0 || n > MaxImageBytes {
		return fail("image %s is %d bytes (1 to %d allowed)", m.ImageFile, n, MaxImageBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(m.Image))
	if err != nil {
		return fail("image %s: %v", m.ImageFile, err)
	}
	switch format {
	case "png":
		m.ImageType = "image/png"
	case "jpeg":
		m.ImageType = "image/jpeg"
	default:
		return fail("image %s is %s, not PNG or JPEG", m.ImageFile, format)
	}
	if cfg.Width != w || cfg.Height != h {
		return fail("image %s is %d×%d, the menu is %d×%d", m.ImageFile, cfg.Width, cfg.Height, w, h)
	}
	return nil
}
