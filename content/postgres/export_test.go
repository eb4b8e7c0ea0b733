package postgres

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5/stdlib"
)

// MigrateTo brings the store's schema up to version (and no further), for
// the tests of one migration.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	return s.withProvider(ctx, func(db *sql.DB) error {
		p, err := newProvider(db, s.opts.Schema)
		if err != nil {
			return err
		}
		_, err = p.UpTo(ctx, version)
		return err
	})
}

// MigrateDownTo rolls the store's schema back to version.
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	return s.withProvider(ctx, func(db *sql.DB) error {
		p, err := newProvider(db, s.opts.Schema)
		if err != nil {
			return err
		}
		_, err = p.DownTo(ctx, version)
		return err
	})
}

func (s *Store) withProvider(ctx context.Context, fn func(*sql.DB) error) error {
	db := stdlib.OpenDB(*s.pool.Config().ConnConfig)
	defer db.Close()
	if err := ensureSchema(ctx, db, s.opts.Schema); err != nil {
		return err
	}
	return fn(db)
}
