package postgres_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
	"github.com/paitor/paitor/content/storetest"
)

func TestStore(t *testing.T) {
	pgtest.URL(t) // skip (or fail in CI) once, not in every subtest
	storetest.TestStore(t, func(t *testing.T) content.Store { return pgtest.Open(t) })
}

// TestStoreSharedSchema hands every subtest the same schema, as the suite allows:
// it checks that the contract tests do not depend on having the store to
// themselves.
func TestStoreSharedSchema(t *testing.T) {
	shared := pgtest.Open(t)
	storetest.TestStore(t, func(t *testing.T) content.Store { return shared })
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	ctx := t.Context()
	t.Run("Store.Migrate", func(t *testing.T) {
		s := pgtest.Open(t) // migrated once already
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if _, _, err := s.Follow(ctx, storetest.NewUserID(t), time.Now()); err != nil {
			t.Fatalf("Follow after second Migrate: %v", err)
		}
	})
	t.Run("Migrate(url)", func(t *testing.T) {
		databaseURL, schema := pgtest.Schema(t) // search_path=<schema> is in the URL
		for i := range 2 {
			if err := postgres.Migrate(ctx, databaseURL); err != nil {
				t.Fatalf("Migrate #%d: %v", i+1, err)
			}
		}
		var applied int
		queryRow(t, databaseURL, `SELECT count(*) FROM `+schema+`.goose_db_version WHERE version_id = 1 AND is_applied`, &applied)
		if applied != 1 {
			t.Errorf("migration 1 recorded %d times, want 1", applied)
		}
	})
}

// TestProfileGeneratedColumns checks the columns audience queries use: copied
// from the profile's fields, and NULL for an age that is not a number.
func TestProfileGeneratedColumns(t *testing.T) {
	ctx := t.Context()
	databaseURL, schema := pgtest.Schema(t)
	s, err := postgres.Open(ctx, databaseURL, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	id := storetest.NewUserID(t)
	if _, _, err := s.Follow(ctx, id, time.Now()); err != nil {
		t.Fatalf("Follow: %v", err)
	}
	for _, tt := range []struct {
		fields   map[string]string
		province string
		age      string // "" for NULL
	}{
		{map[string]string{"province": "น่าน", "district": "เมือง", "age": "17"}, "น่าน", "17"},
		{map[string]string{"age": "สิบเจ็ด"}, "น่าน", ""},
		{map[string]string{"age": "17.5"}, "น่าน", ""},
		{map[string]string{"age": "99999999999"}, "น่าน", ""},
		{map[string]string{"age": "20", "province": ""}, "", "20"},
	} {
		if err := s.SaveProfile(ctx, id, tt.fields, time.Now()); err != nil {
			t.Fatalf("SaveProfile(%v): %v", tt.fields, err)
		}
		var province, age string
		queryRow(t, databaseURL, `SELECT coalesce(province, '') || '|' || coalesce(age::text, '') FROM profiles WHERE user_id = $1`, &province, id)
		got := strings.SplitN(province, "|", 2)
		province, age = got[0], got[1]
		if province != tt.province || age != tt.age {
			t.Errorf("after SaveProfile(%v): province %q, age %q; want %q, %q", tt.fields, province, age, tt.province, tt.age)
		}
	}
}

func TestSchemaIsolation(t *testing.T) {
	ctx := t.Context()
	databaseURL, schema := pgtest.Schema(t)
	base := pgtest.URL(t) // no search_path
	s, err := postgres.Open(ctx, base, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	id := storetest.NewUserID(t)
	if _, _, err := s.Follow(ctx, id, time.Now()); err != nil {
		t.Fatalf("Follow: %v", err)
	}

	tables := queryRows(t, databaseURL, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, schema)
	for _, want := range []string{"goose_db_version", "users"} {
		if !slices.Contains(tables, want) {
			t.Errorf("tables in %s = %v, want %s among them", schema, tables, want)
		}
	}
	var n int
	queryRow(t, databaseURL, `SELECT count(*) FROM `+schema+`.users WHERE id = $1`, &n, id)
	if n != 1 {
		t.Errorf("user rows in %s = %d, want 1", schema, n)
	}
}

func TestOpenInvalidSchema(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://127.0.0.1:1/x", postgres.Options{Schema: `bad"name`})
	if content.ErrorCode(err) != content.EINVALID {
		t.Fatalf("Open with a bad schema: err = %v, want EINVALID", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	start := time.Now()
	s, err := postgres.Open(t.Context(), "postgres://postgres@127.0.0.1:1/test?sslmode=disable", postgres.Options{ConnectTimeout: 2 * time.Second})
	if err == nil {
		s.Close()
		t.Fatal("Open of 127.0.0.1:1 succeeded")
	}
	t.Logf("Open failed after %v: %v", time.Since(start), err)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Open took %v to fail", elapsed)
	}
	if msg := err.Error(); !strings.Contains(msg, "postgres: connect 127.0.0.1:1:") {
		t.Errorf("error %q does not name the server as 'postgres: connect 127.0.0.1:1:'", msg)
	}
}

func TestOpenStalledServer(t *testing.T) {
	databaseURL := pgtest.URL(t)
	proxy := pgtest.Proxy(t, hostPort(t, databaseURL))
	proxy.Stall() // accepts, never answers

	start := time.Now()
	s, err := postgres.Open(t.Context(), pgtest.WithHost(t, databaseURL, proxy.Addr()), postgres.Options{ConnectTimeout: time.Second, QueryTimeout: time.Second})
	if err == nil {
		s.Close()
		t.Fatal("Open through a stalled proxy succeeded")
	}
	t.Logf("Open failed after %v: %v", time.Since(start), err)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Open took %v to fail", elapsed)
	}
	if !strings.Contains(err.Error(), proxy.Addr()) {
		t.Errorf("error %q does not name %s", err, proxy.Addr())
	}
}

// outage opens a migrated store whose connections go through a proxy.
func outage(t *testing.T) (*postgres.Store, *pgtest.TCPProxy) {
	t.Helper()
	ctx := t.Context()
	databaseURL, schema := pgtest.Schema(t)
	if err := postgres.Migrate(ctx, databaseURL); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	proxy := pgtest.Proxy(t, hostPort(t, databaseURL))
	s, err := postgres.Open(ctx, pgtest.WithHost(t, databaseURL, proxy.Addr()), postgres.Options{
		Schema:         schema,
		QueryTimeout:   time.Second,
		ConnectTimeout: time.Second,
	})
	if err != nil {
		t.Fatalf("Open through proxy: %v", err)
	}
	t.Cleanup(s.Close)
	return s, proxy
}

func TestQueryAfterServerGoneFailsThenRecovers(t *testing.T) {
	ctx := t.Context()
	s, proxy := outage(t)
	id := storetest.NewUserID(t)
	if _, _, err := s.Follow(ctx, id, time.Now()); err != nil {
		t.Fatalf("Follow before outage: %v", err)
	}

	proxy.Pause()
	start := time.Now()
	_, err := s.User(ctx, id)
	t.Logf("User with the server gone failed after %v: %v", time.Since(start), err)
	if err == nil {
		t.Fatal("User succeeded with the server gone")
	} else if content.IsNotFound(err) {
		t.Fatalf("User with the server gone: %v, want an internal error, not ENOTFOUND", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping succeeded with the server gone")
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("failing took %v, want about the query timeout at most", elapsed)
	}

	proxy.Resume()
	eventually(t, 10*time.Second, func() error { _, err := s.User(ctx, id); return err })
}

func TestQueryOnStalledServerTimesOut(t *testing.T) {
	ctx := t.Context() // no deadline: only Options.QueryTimeout bounds the call
	s, proxy := outage(t)
	id := storetest.NewUserID(t)
	if _, _, err := s.Follow(ctx, id, time.Now()); err != nil {
		t.Fatalf("Follow before outage: %v", err)
	}

	proxy.Stall()
	start := time.Now()
	_, err := s.Touch(ctx, id, time.Now())
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("Touch succeeded on a stalled server")
	}
	t.Logf("stalled Touch failed after %v: %v", elapsed, err)
	if elapsed > 3*time.Second {
		t.Errorf("stalled Touch took %v, want about QueryTimeout (1s)", elapsed)
	}

	proxy.Resume()
	eventually(t, 10*time.Second, func() error { _, err := s.User(ctx, id); return err })
}

// eventually retries fn until it succeeds or the time is up.
func eventually(t *testing.T, within time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after %v: %v", within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func hostPort(t *testing.T, databaseURL string) string {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Port() == "" {
		return u.Hostname() + ":5432"
	}
	return u.Host
}

func queryRow(t *testing.T, databaseURL, sql string, dest any, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(ctx, sql, args...).Scan(dest); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func queryRows(t *testing.T, databaseURL, sql string, args ...any) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}
