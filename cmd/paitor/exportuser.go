package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"

	"github.com/paitor/paitor/bot/app"
	"github.com/paitor/paitor/content/postgres"
)

var lineUserID = regexp.MustCompile(`^U[0-9a-f]{32}$`)

func runExportUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export-user", flag.ContinueOnError)
	about := "Prints everything stored about one LINE user (USER_ID, U + 32 hex digits) as JSON, from DATABASE_URL.\nUsage: paitor export-user USER_ID"
	if err := parseFlags(fs, args, stdout, about); err != nil || helped(args) {
		return err
	}
	if fs.NArg() != 1 || !lineUserID.MatchString(fs.Arg(0)) {
		return errors.New("give one LINE user ID (U followed by 32 hex digits)")
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set: the embedded store lives only inside a running service")
	}
	s, err := postgres.Open(ctx, c.DatabaseURL, postgres.Options{})
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer s.Close()
	doc, err := app.Export(ctx, s, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
