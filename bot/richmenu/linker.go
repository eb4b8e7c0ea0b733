package richmenu

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/paitor/paitor/bot/sender"
)

// ErrNotInstalled means the channel has no rich menu for the role (the alias
// does not exist): `paitor richmenu` was never run. The bot works without
// rich menus, so callers ignore it:
//
//	if err := l.Link(ctx, user, role); err != nil && !errors.Is(err, richmenu.ErrNotInstalled) { ... }
var ErrNotInstalled = errors.New("rich menus are not installed (run paitor richmenu)")

// Linker shows each user the rich menu of their role. It resolves a role's
// alias once and caches the menu ID; it is safe for concurrent use and logs
// nothing.
type Linker struct {
	s       *sender.Sender
	aliases map[string]string // user role → alias
	err     error             // from reading the embedded menus

	mu  sync.Mutex
	ids map[string]string // alias → rich menu ID
}

var embedded = sync.OnceValues(func() ([]Menu, error) {
	data, err := files.ReadFile("menus.yaml")
	if err != nil {
		return nil, err
	}
	return decode(data)
})

// NewLinker returns a Linker for the embedded menus: roles youth and other get
// paitor-youth, parent gets paitor-parent (see menus.yaml).
func NewLinker(s *sender.Sender) *Linker {
	l := &Linker{s: s, aliases: map[string]string{}, ids: map[string]string{}}
	menus, err := embedded()
	l.err = err
	for _, m := range menus {
		for _, r := range m.Roles {
			l.aliases[r] = m.Alias
		}
	}
	return l
}

// Link shows userID the rich menu of role ("youth", "other" or "parent"). If
// the menus are not installed it returns an error wrapping ErrNotInstalled.
// If the cached menu was replaced by a newer install, it resolves the alias
// again.
func (l *Linker) Link(ctx context.Context, userID, role string) error {
	if l.err != nil {
		return l.err
	}
	alias, ok := l.aliases[role]
	if !ok {
		return fmt.Errorf("richmenu: no rich menu for role %q", role)
	}
	for try := 0; ; try++ {
		id, err := l.resolve(ctx, alias)
		if err != nil {
			return err
		}
		err = l.s.LinkRichMenu(ctx, userID, id)
		if err == nil {
			return nil
		}
		if sender.StatusOf(err) != http.StatusNotFound {
			return fmt.Errorf("richmenu: link %s menu: %w", role, err)
		}
		l.forget(alias, id) // deleted by a newer install
		if try > 0 {
			return fmt.Errorf("richmenu: link %s menu: %w", role, err)
		}
	}
}

// resolve returns the menu ID alias points at, from the cache or LINE.
func (l *Linker) resolve(ctx context.Context, alias string) (string, error) {
	l.mu.Lock()
	id, ok := l.ids[alias]
	l.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := l.s.RichMenuIDByAlias(ctx, alias)
	if sender.StatusOf(err) == http.StatusNotFound {
		return "", fmt.Errorf("richmenu: alias %s: %w", alias, ErrNotInstalled)
	}
	if err != nil {
		return "", fmt.Errorf("richmenu: alias %s: %w", alias, err)
	}
	l.mu.Lock()
	l.ids[alias] = id
	l.mu.Unlock()
	return id, nil
}

// forget drops a cached menu ID that LINE refused, unless another caller has
// already replaced it.
func (l *Linker) forget(alias, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids[alias] == id {
		delete(l.ids, alias)
	}
}
