// Package postgres is the production content.Store, backed by PostgreSQL through a
// pgx connection pool. The schema is managed by goose migrations embedded from
// migrations/*.sql; run Migrate (or Store.Migrate) before serving.
//
// Every call is bounded by Options.QueryTimeout, so an unreachable or stalled
// server yields an error rather than a hang. Errors carry the content error codes
// (ENOTFOUND, EINVALID); anything from the database is EINTERNAL.
package postgres
