package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/paitor/paitor/bot/richmenu"
	"github.com/paitor/paitor/bot/sender"
)

// runRichMenu installs the rich menus of bot/richmenu on the LINE channel:
// `paitor richmenu [-dry-run]`.
func runRichMenu(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("richmenu", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "print the rich menus as LINE's JSON without calling LINE (needs no token)")
	if err := parseFlags(fs, args, stdout, "Installs the rich menus (youth and parent) on the LINE channel of LINE_CHANNEL_TOKEN:\n"+
		"creates each menu, uploads its image, points its alias (paitor-youth, paitor-parent) at it\n"+
		"and deletes the previous menus of the same name. No default menu is set: the bot links\n"+
		"a user's menu when they pick a role. Users linked to a replaced menu lose it until\n"+
		"the bot links them again, so run it when the menus changed."); err != nil || helped(args) {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see paitor richmenu -h)", fs.Args())
	}
	menus, err := richmenu.Load()
	if err != nil {
		return err
	}
	if *dryRun {
		return printRichMenus(stdout, menus)
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if c.ChannelToken == "" {
		return errors.New("LINE_CHANNEL_TOKEN is not set: the rich menus are installed on a real LINE channel " +
			"(LINE Developers console → Messaging API → Channel access token); use -dry-run to print them without LINE")
	}
	s, err := sender.New(sender.Config{Token: c.ChannelToken, APIURL: c.APIURL, DataAPIURL: c.DataAPIURL})
	if err != nil {
		return err
	}
	ids, err := richmenu.Install(ctx, s, menus, stdout)
	if err != nil {
		return err
	}
	roles := make([]string, 0, len(ids))
	for r := range ids {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	fmt.Fprintln(stdout, "installed:")
	for _, r := range roles {
		fmt.Fprintf(stdout, "  %-7s %s\n", r, ids[r])
	}
	return nil
}

// printRichMenus writes each menu's create request as indented JSON, headed
// by its role, alias and image.
func printRichMenus(w io.Writer, menus []richmenu.Menu) error {
	for i, m := range menus {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "# %s (users: %v) → alias %s, image %s (%s, %d bytes)\n", m.Role, m.Roles, m.Alias, m.ImageFile, m.ImageType, len(m.Image))
		req := m.Request()
		b, err := json.MarshalIndent(&req, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\n", b)
	}
	return nil
}
