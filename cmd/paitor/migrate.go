package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/paitor/paitor/content/postgres"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if err := parseFlags(fs, args, stdout, "Applies the schema migrations to the PostgreSQL database in DATABASE_URL (serve also does this at start-up)."); err != nil || helped(args) {
		return err
	}
	c, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set: there is nothing to migrate (the embedded store needs no migrations)")
	}
	if err := postgres.Migrate(ctx, c.DatabaseURL); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := parseFlags(fs, args, stdout, "Prints the version."); err != nil || helped(args) {
		return err
	}
	fmt.Fprintln(stdout, "paitor", version)
	return nil
}
