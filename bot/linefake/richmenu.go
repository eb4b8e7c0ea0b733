package linefake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Rich menu limits from LINE's documentation (not in the schema).
const (
	maxRichMenuImage = 1 << 20 // bytes
	maxRichMenuAreas = 20
	maxRichMenus     = 1000
)

// richMenuRoutes registers the rich menu endpoints.
func (s *Server) richMenuRoutes(r chi.Router, h func(string, handlerFunc) http.HandlerFunc) {
	r.Post("/v2/bot/richmenu", h("richmenu.create", s.handleRichMenuCreate))
	r.Post("/v2/bot/richmenu/validate", h("richmenu.validate", s.handleRichMenuValidate))
	r.Get("/v2/bot/richmenu/list", h("richmenu.list", s.handleRichMenuList))
	r.Get("/v2/bot/richmenu/{richMenuId}", h("richmenu.get", s.handleRichMenuGet))
	r.Delete("/v2/bot/richmenu/{richMenuId}", h("richmenu.delete", s.handleRichMenuDelete))
	r.Post("/v2/bot/richmenu/{richMenuId}/content", h("richmenu.content", s.handleRichMenuContent))
	r.Post("/v2/bot/user/{userId}/richmenu/{richMenuId}", h("richmenu.link", s.handleRichMenuLink))
	r.Delete("/v2/bot/user/{userId}/richmenu", h("richmenu.unlink", s.handleRichMenuUnlink))
	r.Get("/v2/bot/user/{userId}/richmenu", h("richmenu.user", s.handleRichMenuOfUser))
	r.Post("/v2/bot/user/all/richmenu/{richMenuId}", h("richmenu.default", s.handleRichMenuSetDefault))
	r.Get("/v2/bot/user/all/richmenu", h("richmenu.default.get", s.handleRichMenuGetDefault))
	r.Delete("/v2/bot/user/all/richmenu", h("richmenu.default.delete", s.handleRichMenuDeleteDefault))
	r.Post("/v2/bot/richmenu/bulk/link", h("richmenu.bulk.link", s.handleRichMenuBulkLink))
	r.Post("/v2/bot/richmenu/alias", h("richmenu.alias.create", s.handleAliasCreate))
	r.Get("/v2/bot/richmenu/alias/list", h("richmenu.alias.list", s.handleAliasList))
	r.Get("/v2/bot/richmenu/alias/{richMenuAliasId}", h("richmenu.alias.get", s.handleAliasGet))
	r.Post("/v2/bot/richmenu/alias/{richMenuAliasId}", h("richmenu.alias.update", s.handleAliasUpdate))
	r.Delete("/v2/bot/richmenu/alias/{richMenuAliasId}", h("richmenu.alias.delete", s.handleAliasDelete))
}

// richMenuChecks adds LINE's rich menu rules the schema leaves out.
func richMenuChecks(v *validator, doc any) {
	obj, _ := doc.(map[string]any)
	for _, f := range []string{"size", "selected", "name", "chatBarText", "areas"} {
		if _, ok := obj[f]; !ok {
			v.add(f, "required")
		}
	}
	if size, ok := obj["size"].(map[string]any); ok {
		w, h := number(size["width"]), number(size["height"])
		if w < 800 || w > 2500 {
			v.add("size.width", "must be between 800 and 2500")
		}
		if h < 250 {
			v.add("size.height", "must be at least 250")
		}
		if h > 0 && w/h < 1.45 {
			v.add("size", "width/height must be at least 1.45")
		}
	}
	if areas, ok := obj["areas"].([]any); ok {
		if len(areas) > maxRichMenuAreas {
			v.add("areas", "size must be at most %d (is %d)", maxRichMenuAreas, len(areas))
		}
		for i, a := range areas {
			if am, ok := a.(map[string]any); ok {
				v.checkAction(am["action"], child(index("areas", i), "action"), false)
			}
		}
	}
}

// handleRichMenuCreate serves POST /v2/bot/richmenu.
func (s *Server) handleRichMenuCreate(c *reqCtx) {
	if c.validateBody(richMenuChecks) == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.richMenus) >= maxRichMenus {
		c.fail(http.StatusBadRequest, "Too many rich menus")
		return
	}
	id := "richmenu-" + randomHex(16)
	var menu map[string]any
	_ = json.Unmarshal(c.body, &menu) // validated
	menu["richMenuId"] = id
	data, _ := json.Marshal(menu)
	s.richMenus[id] = data
	s.richMenuOrder = append(s.richMenuOrder, id)
	c.json(http.StatusOK, map[string]string{"richMenuId": id})
}

// handleRichMenuValidate serves POST /v2/bot/richmenu/validate.
func (s *Server) handleRichMenuValidate(c *reqCtx) {
	if c.validateBody(richMenuChecks) != nil {
		c.json(http.StatusOK, struct{}{})
	}
}

// handleRichMenuList serves GET /v2/bot/richmenu/list.
func (s *Server) handleRichMenuList(c *reqCtx) {
	s.mu.Lock()
	list := make([]json.RawMessage, 0, len(s.richMenuOrder))
	for _, id := range s.richMenuOrder {
		list = append(list, s.richMenus[id])
	}
	s.mu.Unlock()
	c.json(http.StatusOK, map[string]any{"richmenus": list})
}

// menuExists reports whether rich menu id exists, answering 404 if not.
// s.mu must be held.
func (s *Server) menuExists(c *reqCtx, id string) bool {
	if _, ok := s.richMenus[id]; !ok {
		c.fail(http.StatusNotFound, "Not found")
		return false
	}
	return true
}

// handleRichMenuGet serves GET /v2/bot/richmenu/{richMenuId}.
func (s *Server) handleRichMenuGet(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := chi.URLParam(c.r, "richMenuId")
	if s.menuExists(c, id) {
		c.json(http.StatusOK, s.richMenus[id])
	}
}

// handleRichMenuDelete serves DELETE /v2/bot/richmenu/{richMenuId}; users
// linked to it lose it.
func (s *Server) handleRichMenuDelete(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := chi.URLParam(c.r, "richMenuId")
	if !s.menuExists(c, id) {
		return
	}
	delete(s.richMenus, id)
	delete(s.richMenuImages, id)
	for i, o := range s.richMenuOrder {
		if o == id {
			s.richMenuOrder = append(s.richMenuOrder[:i:i], s.richMenuOrder[i+1:]...)
			break
		}
	}
	for _, u := range s.userOrder {
		if u.extra != nil && u.extra.richMenu == id {
			u.extra.richMenu = ""
		}
	}
	if s.defaultRichMenu == id {
		s.defaultRichMenu = ""
	}
	c.json(http.StatusOK, struct{}{})
}

// handleRichMenuContent serves POST /v2/bot/richmenu/{richMenuId}/content
// (the blob endpoint): a PNG or JPEG of at most 1 MB, once per menu.
func (s *Server) handleRichMenuContent(c *reqCtx) {
	ct := strings.TrimSpace(strings.Split(c.r.Header.Get("Content-Type"), ";")[0])
	var details []Detail
	switch {
	case ct != "image/png" && ct != "image/jpeg":
		details = append(details, Detail{Message: "Content-Type must be image/png or image/jpeg, not " + ct, Property: "Content-Type"})
	case len(c.body) == 0:
		details = append(details, Detail{Message: "the image is empty"})
	case len(c.body) > maxRichMenuImage:
		details = append(details, Detail{Message: "the image must be at most 1 MB"})
	case !imageMatches(ct, c.body):
		details = append(details, Detail{Message: "the body is not a " + ct + " image"})
	}
	if details != nil {
		c.body = nil // binary: keep it out of the error record
		c.invalid(details)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := chi.URLParam(c.r, "richMenuId")
	if !s.menuExists(c, id) {
		return
	}
	if s.richMenuImages[id] {
		c.fail(http.StatusBadRequest, "An image has already been uploaded to the richmenu")
		return
	}
	s.richMenuImages[id] = true
	c.json(http.StatusOK, struct{}{})
}

// imageMatches checks the PNG/JPEG signature.
func imageMatches(ct string, b []byte) bool {
	if ct == "image/png" {
		return len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n"
	}
	return len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF
}

// linkable reports whether rich menu id can be linked: it exists and has
// an image. s.mu must be held.
func (s *Server) linkable(c *reqCtx, id string) bool {
	if !s.menuExists(c, id) {
		return false
	}
	if !s.richMenuImages[id] {
		c.fail(http.StatusBadRequest, "must upload richmenu image before applying it to user")
		return false
	}
	return true
}

// handleRichMenuLink serves POST /v2/bot/user/{userId}/richmenu/{richMenuId}.
func (s *Server) handleRichMenuLink(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.linkable(c, chi.URLParam(c.r, "richMenuId")) {
		return
	}
	s.userLocked(chi.URLParam(c.r, "userId")).more().richMenu = chi.URLParam(c.r, "richMenuId")
	c.json(http.StatusOK, struct{}{})
}

// handleRichMenuUnlink serves DELETE /v2/bot/user/{userId}/richmenu.
func (s *Server) handleRichMenuUnlink(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[chi.URLParam(c.r, "userId")]; u != nil && u.extra != nil {
		u.extra.richMenu = ""
	}
	c.json(http.StatusOK, struct{}{})
}

// handleRichMenuOfUser serves GET /v2/bot/user/{userId}/richmenu.
func (s *Server) handleRichMenuOfUser(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[chi.URLParam(c.r, "userId")]
	if u == nil || u.info().richMenu == "" {
		c.fail(http.StatusNotFound, "the user has no richmenu")
		return
	}
	c.json(http.StatusOK, map[string]string{"richMenuId": u.info().richMenu})
}

// handleRichMenuSetDefault serves POST /v2/bot/user/all/richmenu/{richMenuId}.
func (s *Server) handleRichMenuSetDefault(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := chi.URLParam(c.r, "richMenuId")
	if s.linkable(c, id) {
		s.defaultRichMenu = id
		c.json(http.StatusOK, struct{}{})
	}
}

// handleRichMenuGetDefault serves GET /v2/bot/user/all/richmenu.
func (s *Server) handleRichMenuGetDefault(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.defaultRichMenu == "" {
		c.fail(http.StatusNotFound, "no default richmenu")
		return
	}
	c.json(http.StatusOK, map[string]string{"richMenuId": s.defaultRichMenu})
}

// handleRichMenuDeleteDefault serves DELETE /v2/bot/user/all/richmenu.
func (s *Server) handleRichMenuDeleteDefault(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.defaultRichMenu = ""
	c.json(http.StatusOK, struct{}{})
}

// handleRichMenuBulkLink serves POST /v2/bot/richmenu/bulk/link (202).
func (s *Server) handleRichMenuBulkLink(c *reqCtx) {
	doc := c.validateBody(func(v *validator, doc any) {
		obj, _ := doc.(map[string]any)
		ids, _ := obj["userIds"].([]any)
		for i, id := range ids {
			if sid, ok := id.(string); ok && !userIDRE.MatchString(sid) {
				v.add(index("userIds", i), "must be a user ID")
			}
		}
	})
	if doc == nil {
		return
	}
	var req struct {
		RichMenuID string   `json:"richMenuId"`
		UserIDs    []string `json:"userIds"`
	}
	_ = json.Unmarshal(c.body, &req) // validated
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.linkable(c, req.RichMenuID) {
		return
	}
	for _, id := range req.UserIDs {
		s.userLocked(id).more().richMenu = req.RichMenuID
	}
	c.json(http.StatusAccepted, struct{}{})
}

// handleAliasCreate serves POST /v2/bot/richmenu/alias.
func (s *Server) handleAliasCreate(c *reqCtx) {
	if c.validateBody(nil) == nil {
		return
	}
	var req struct {
		Alias string `json:"richMenuAliasId"`
		Menu  string `json:"richMenuId"`
	}
	_ = json.Unmarshal(c.body, &req) // validated
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.richMenuAliases[req.Alias]; dup {
		c.fail(http.StatusBadRequest, "conflict richmenu alias id")
		return
	}
	if !s.linkable(c, req.Menu) {
		return
	}
	s.richMenuAliases[req.Alias] = req.Menu
	c.json(http.StatusOK, struct{}{})
}

// handleAliasUpdate serves POST /v2/bot/richmenu/alias/{richMenuAliasId}.
func (s *Server) handleAliasUpdate(c *reqCtx) {
	if c.validateBody(nil) == nil {
		return
	}
	var req struct {
		Menu string `json:"richMenuId"`
	}
	_ = json.Unmarshal(c.body, &req) // validated
	s.mu.Lock()
	defer s.mu.Unlock()
	alias := chi.URLParam(c.r, "richMenuAliasId")
	if _, ok := s.richMenuAliases[alias]; !ok {
		c.fail(http.StatusNotFound, "Not found")
		return
	}
	if s.linkable(c, req.Menu) {
		s.richMenuAliases[alias] = req.Menu
		c.json(http.StatusOK, struct{}{})
	}
}

// handleAliasGet serves GET /v2/bot/richmenu/alias/{richMenuAliasId}.
func (s *Server) handleAliasGet(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	alias := chi.URLParam(c.r, "richMenuAliasId")
	menu, ok := s.richMenuAliases[alias]
	if !ok {
		c.fail(http.StatusNotFound, "Not found")
		return
	}
	c.json(http.StatusOK, map[string]string{"richMenuAliasId": alias, "richMenuId": menu})
}

// handleAliasList serves GET /v2/bot/richmenu/alias/list.
func (s *Server) handleAliasList(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := make([]map[string]string, 0, len(s.richMenuAliases))
	for _, a := range sortedStrings(s.richMenuAliases) {
		list = append(list, map[string]string{"richMenuAliasId": a, "richMenuId": s.richMenuAliases[a]})
	}
	c.json(http.StatusOK, map[string]any{"aliases": list})
}

// handleAliasDelete serves DELETE /v2/bot/richmenu/alias/{richMenuAliasId}.
func (s *Server) handleAliasDelete(c *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	alias := chi.URLParam(c.r, "richMenuAliasId")
	if _, ok := s.richMenuAliases[alias]; !ok {
		c.fail(http.StatusNotFound, "Not found")
		return
	}
	delete(s.richMenuAliases, alias)
	c.json(http.StatusOK, struct{}{})
}

// sortedStrings returns m's keys in order.
func sortedStrings(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// number returns a decoded JSON number as float64 (0 for anything else).
func number(v any) float64 {
	n, _ := v.(json.Number)
	f, _ := n.Float64()
	return f
}
