package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the schema, applied in file-name order by goose.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the schema at databaseURL up to date. It is what a deploy step
// or `paitor migrate` runs; it is safe to run from several processes at once.
func Migrate(ctx context.Context, databaseURL string) error {
	s, err := Open(ctx, databaseURL, Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx)
}

// Migrate brings the store's schema up to date, creating Options.Schema if it is
// set and missing. A session advisory lock keeps concurrent migrators from
// racing; applied migrations are skipped, so running it twice is a no-op. Only
// ctx bounds it, not Options.QueryTimeout.
func (s *Store) Migrate(ctx context.Context) error {
	// A plain database/sql handle on its own connections (with the pool's
	// settings, search_path included), so goose's session lock never lingers on
	// a pooled connection.
	db := stdlib.OpenDB(*s.pool.Config().ConnConfig)
	defer db.Close()

	if err := ensureSchema(ctx, db, s.opts.Schema); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	provider, err := newProvider(db, s.opts.Schema)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate %s: %w", s.addr, err)
	}
	return nil
}

// newProvider returns a goose provider for the embedded migrations, keeping its
// version table in schema when one is given.
func newProvider(db *sql.DB, schema string) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("embedded migrations: %w", err)
	}
	// One lock per schema: isolated test schemas migrate in parallel, while
	// replicas sharing a schema take turns. Poll every second, for 5 minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID(schema)), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	opts := []goose.ProviderOption{
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	}
	if schema != "" {
		opts = append(opts, goose.WithTableName(schema+".goose_db_version"))
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("goose provider: %w", err)
	}
	return provider, nil
}

// ensureSchema creates schema unless it is empty or exists already. It looks
// first so that a role without CREATE on the database can still migrate into a
// schema made for it.
func ensureSchema(ctx context.Context, db *sql.DB, schema string) error {
	if schema == "" {
		return nil
	}
	var exists bool
	err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists)
	if err != nil {
		return fmt.Errorf("look up schema %s: %w", schema, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	return nil
}

// lockID is the advisory lock key for migrating schema: goose's default for the
// default schema, a hash of the name otherwise.
func lockID(schema string) int64 {
	if schema == "" {
		return lock.DefaultLockID
	}
	h := fnv.New64a()
	h.Write([]byte("paitor/migrate/" + schema))
	return int64(h.Sum64())
}
