package postgres

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/paitor/paitor/content"
)

var _ content.Store = (*Store)(nil)

// Defaults used for zero fields of Options.
const (
	DefaultQueryTimeout   = 5 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultMaxConns       = 10
)

// Options tune a Store. The zero value is fine for production.
type Options struct {
	// QueryTimeout bounds every store call (DefaultQueryTimeout if zero). It is
	// applied on top of the caller's context, which may be shorter.
	QueryTimeout time.Duration

	// ConnectTimeout bounds dialling one new connection (DefaultConnectTimeout if
	// zero); a connect_timeout in the URL wins.
	ConnectTimeout time.Duration

	// MaxConns caps the pool. If zero, a pool_max_conns in the URL is used, else
	// DefaultMaxConns.
	MaxConns int32

	// Schema, when set, is the only schema the store sees: every pooled connection
	// runs with search_path=<Schema>, and goose's version table lives there too.
	// Migrate creates the schema if it is missing. Tests use it to isolate
	// themselves in a shared database. It must be a lower-case SQL identifier.
	Schema string
}

// schemaName is what Options.Schema accepts: a plain identifier that needs no
// quoting in search_path or in goose's table name.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Store is a content.Store backed by PostgreSQL, safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	opts Options
	addr string // host:port, for error messages
}

// Open connects to the database at databaseURL (a postgres:// URL or key=value
// DSN) and checks that it answers. It does not migrate; call Migrate. The error
// names the server when it is unreachable.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = DefaultQueryTimeout
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.Schema != "" && !schemaName.MatchString(opts.Schema) {
		return nil, fmt.Errorf("postgres: open: %w", content.Errorf(content.EINVALID, "schema %q is not a lower-case SQL identifier", opts.Schema))
	}

	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// pgx redacts any password from this message.
		return nil, fmt.Errorf("postgres: parse database URL: %w", err)
	}
	configure(cfg, databaseURL, opts)

	addr := net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port)))
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect %s: %w", addr, err)
	}
	s := &Store{pool: pool, opts: opts, addr: addr}

	// The pool dials lazily; make one connection now so a bad address or
	// password fails at start-up, not at the first webhook.
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnConfig.ConnectTimeout+opts.QueryTimeout)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect %s: %w", addr, err)
	}
	return s, nil
}

// configure applies the pool settings and opts to cfg. Pool settings given in the
// URL (pool_max_conn_lifetime, connect_timeout, ...) are kept.
func configure(cfg *pgxpool.Config, databaseURL string, opts Options) {
	// pgxpool fills in its own defaults, so look at the text to see what was set.
	inURL := func(param string) bool { return strings.Contains(databaseURL, param+"=") }
	if opts.MaxConns > 0 || !inURL("pool_max_conns") {
		cfg.MaxConns = cmp.Or(opts.MaxConns, DefaultMaxConns)
	}
	if !inURL("pool_max_conn_lifetime") {
		cfg.MaxConnLifetime = time.Hour
	}
	if !inURL("pool_max_conn_lifetime_jitter") {
		cfg.MaxConnLifetimeJitter = 5 * time.Minute // do not recycle all at once
	}
	if !inURL("pool_max_conn_idle_time") {
		cfg.MaxConnIdleTime = 10 * time.Minute
	}
	if !inURL("pool_health_check_period") {
		cfg.HealthCheckPeriod = 30 * time.Second
	}
	if cfg.ConnConfig.ConnectTimeout <= 0 {
		cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "paitor"
	}
}

// Ping reports whether the database answers, within Options.QueryTimeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping %s: %w", s.addr, err)
	}
	return nil
}

// Close closes every connection in the pool, waiting for calls in flight. It is
// safe to call more than once.
func (s *Store) Close() { s.pool.Close() }

// timeout bounds one store call by Options.QueryTimeout.
func (s *Store) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opts.QueryTimeout)
}
