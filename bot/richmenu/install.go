package richmenu

import (
	"context"
	"fmt"
	"io"

	"github.com/paitor/paitor/bot/sender"
)

// Install puts menus on the LINE channel and returns role → rich menu ID. For
// each menu it creates the menu, uploads its image, points the menu's alias at
// it and then deletes the older menus of the same name, so running it again
// leaves one menu per role. It sets no default menu: a user sees a menu once
// the bot links it to them (see Linker). Progress goes to out.
//
// Deleting an old menu unlinks it from the users who had it, until the bot
// links the new one; install again only when the menus changed.
func Install(ctx context.Context, s *sender.Sender, menus []Menu, out io.Writer) (map[string]string, error) {
	for i := range menus {
		if err := menus[i].Validate(); err != nil {
			return nil, err
		}
	}
	ids := make(map[string]string, len(menus))
	for _, m := range menus {
		id, err := installOne(ctx, s, m, out)
		if err != nil {
			return ids, err
		}
		ids[m.Role] = id
	}
	return ids, nil
}

func installOne(ctx context.Context, s *sender.Sender, m Menu, out io.Writer) (string, error) {
	id, err := s.CreateRichMenu(ctx, m.Request())
	if err != nil {
		return "", fmt.Errorf("%s menu: create: %w", m.Role, err)
	}
	abandon := func(step string, err error) (string, error) {
		// Best effort: a menu left behind has the same name and goes with the
		// next install.
		_ = s.DeleteRichMenu(ctx, id)
		return "", fmt.Errorf("%s menu: %s: %w", m.Role, step, err)
	}
	if err := s.UploadRichMenuImage(ctx, id, m.ImageType, m.Image); err != nil {
		return abandon("upload image", err)
	}
	if err := s.SetRichMenuAlias(ctx, m.Alias, id); err != nil {
		return abandon("set alias "+m.Alias, err)
	}
	fmt.Fprintf(out, "%s: rich menu %s (alias %s, %d areas, image %d bytes)\n", m.Role, id, m.Alias, len(m.Areas), len(m.Image))

	// The alias now points at the new menu: the old ones can go. Listing after
	// creating also catches a duplicate left by a retried create.
	list, err := s.ListRichMenus(ctx)
	if err != nil {
		return id, fmt.Errorf("%s menu: list the old menus: %w", m.Role, err)
	}
	for _, old := range list {
		if old.Name != m.Name || old.RichMenuId == id {
			continue
		}
		if err := s.DeleteRichMenu(ctx, old.RichMenuId); err != nil {
			return id, fmt.Errorf("%s menu: delete the old menu %s: %w", m.Role, old.RichMenuId, err)
		}
		fmt.Fprintf(out, "%s: deleted the previous rich menu %s\n", m.Role, old.RichMenuId)
	}
	return id, nil
}
