// Package pgtest helps tests use a real PostgreSQL server: it finds the server
// (TEST_DATABASE_URL), skips the test when there is none on a developer's machine
// and fails it in CI, gives each test its own schema, and offers a TCP proxy that
// can cut or stall connections to simulate an outage.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content/postgres"
)

// DefaultURL is the server tests use when TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// reachable caches, per URL, the outcome of the first connection attempt so a
// missing server costs one timeout per test binary, not one per test.
var reachable sync.Map // url -> *probe

type probe struct {
	once sync.Once
	err  error
}

// URL returns TEST_DATABASE_URL, or DefaultURL. If the server does not answer
// within 2 s the test is skipped, or failed when CI=true.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		u = DefaultURL
	}
	p, _ := reachable.LoadOrStore(u, &probe{})
	pr := p.(*probe)
	pr.once.Do(func() { pr.err = ping(u) })
	if pr.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL not reachable at %s (CI=true, so this fails instead of skipping; set TEST_DATABASE_URL): %v", redact(u), pr.err)
		}
		t.Skipf("PostgreSQL not reachable at %s (set TEST_DATABASE_URL): %v", redact(u), pr.err)
	}
	return u
}

// ping connects once with a 2 s limit.
func ping(databaseURL string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

// Schema creates a fresh, empty schema t_<random hex> on the test server and drops
// it (CASCADE) when the test ends. The returned URL has search_path set to the
// schema, so anything opened with it alone stays inside; pass the schema as
// postgres.Options.Schema too, so goose's version table lands there.
func Schema(t testing.TB) (databaseURL, schema string) {
	t.Helper()
	base := URL(t)

	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random schema name: %v", err)
	}
	schema = "t_" + hex.EncodeToString(b)

	exec(t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { exec(t, base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })

	return WithSearchPath(t, base, schema), schema
}

// Open returns a store in a fresh, migrated schema, closed when the test ends.
func Open(t testing.TB) *postgres.Store {
	t.Helper()
	return OpenOptions(t, postgres.Options{})
}

// OpenOptions is Open with options; opts.Schema is replaced by the fresh schema.
func OpenOptions(t testing.TB, opts postgres.Options) *postgres.Store {
	t.Helper()
	databaseURL, schema := Schema(t)
	opts.Schema = schema
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, databaseURL, opts)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(s.Close) // registered after the schema's, so it runs before the drop
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return s
}

// WithSearchPath returns databaseURL (a postgres:// URL) with search_path set to
// schema.
func WithSearchPath(t testing.TB, databaseURL, schema string) string {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatalf("pgtest: parse database URL %s: %v", redact(databaseURL), err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// WithHost returns databaseURL (a postgres:// URL) pointed at addr (host:port),
// for example a Proxy's.
func WithHost(t testing.TB, databaseURL, addr string) string {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatalf("pgtest: parse database URL %s: %v", redact(databaseURL), err)
	}
	u.Host = addr
	return u.String()
}

// exec runs one statement on its own connection, failing the test on error. It
// does not use t.Context, which is already cancelled when cleanups run.
func exec(t testing.TB, databaseURL, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", redact(databaseURL), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

// redact hides any password in a database URL for messages.
func redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme == "" {
		return "(a key=value DSN, not shown)"
	}
	return u.Redacted()
}
