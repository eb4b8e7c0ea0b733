package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/catalogio"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/sample"
)

// exitError ends a command with a given exit status, the command having said
// why already.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit status " + strconv.Itoa(e.code) }

// exitCode reports the exit status an error from a command asks for.
func exitCode(err error) (int, bool) {
	var e exitError
	if errors.As(err, &e) {
		return e.code, true
	}
	return 0, false
}

// Exit statuses of `paitor import`.
const (
	importOK         = 0 // every row loaded
	importRejected   = 1 // some rows were rejected (the others loaded)
	importUnreadable = 2 // a file could not be read at all
)

// importChunk is how many rows go to the store at once.
const importChunk = 1000

const importAbout = `Loads a catalog file into PostgreSQL (DATABASE_URL): courses, work-study
openings or occupation families, as CSV or JSON (content/catalogio/FORMATS.md).

  paitor import courses|openings|occupations FILE [--dry-run] [--format csv|json]
  paitor import --sample [--dry-run]

FILE "-" is standard input.

Rows are matched by source and external_id (occupations by id): importing a
file again adds nothing and changes only what changed. Every rejected row is
printed as file:line: column: reason; the other rows load. --sample loads the
sample pack built into paitor (occupations, courses, openings).

The embedded in-memory store lives only inside a running service, so without
DATABASE_URL there is nothing to import into: use --dry-run to check a file.

Exit status: 0 every row loaded, 1 some rows rejected (or the database
failed), 2 a file could not be read at all.`

// importKinds are what can be imported, in the order --sample loads them.
var importKinds = []string{"occupations", "courses", "openings"}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "read and check, write nothing (needs no database)")
	useSample := fs.Bool("sample", false, "import the sample pack built into paitor")
	format := fs.String("format", "", "csv or json (default: by the file name; .json is JSON)")
	if err := parseFlags(fs, args, stdout, importAbout); err != nil || helped(args) {
		return err
	}
	// Flags may come after the arguments too: import courses x.csv --dry-run.
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return errUsage
		}
	}
	type job struct {
		kind, name string
		data       []byte // the sample pack's; nil for a file
	}
	var jobs []job
	switch {
	case *useSample && len(pos) == 0:
		files := sample.Files()
		for _, k := range importKinds {
			jobs = append(jobs, job{kind: k, name: "sample/" + k + ".csv", data: files[k+".csv"]})
		}
	case !*useSample && len(pos) == 2 && contains(importKinds, pos[0]):
		jobs = append(jobs, job{kind: pos[0], name: pos[1]})
	default:
		fmt.Fprintln(stderr, "Usage: paitor import courses|openings|occupations FILE [--dry-run] [--format csv|json]\n       paitor import --sample [--dry-run]")
		return errUsage
	}

	var store content.CatalogStore
	if !*dryRun {
		c, err := loadConfig(getenv)
		if err != nil {
			return err
		}
		if c.DatabaseURL == "" {
			return errors.New("DATABASE_URL is not set: import writes to PostgreSQL. The embedded in-memory store lives only inside a running service, so there is nothing to import into; --dry-run checks a file without a database")
		}
		s, err := postgres.Open(ctx, c.DatabaseURL, postgres.Options{})
		if err != nil {
			return fmt.Errorf("DATABASE_URL: %w", err)
		}
		defer s.Close()
		if err := s.Migrate(ctx); err != nil {
			return fmt.Errorf("DATABASE_URL: migrate: %w", err)
		}
		store = s
	}

	im := &importer{store: store, stdout: stdout, stderr: stderr, terminal: isTerminal(stderr)}
	status := importOK
	for _, j := range jobs {
		var (
			r    io.Reader
			size int64 = -1
		)
		switch {
		case j.data != nil:
			r, size = bytes.NewReader(j.data), int64(len(j.data))
		case j.name == "-":
			r = os.Stdin
		default:
			f, err := os.Open(j.name)
			if err != nil {
				fmt.Fprintf(stderr, "paitor import: %v\n", err)
				return exitError{importUnreadable}
			}
			defer f.Close()
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				size = st.Size()
			}
			r = f
		}
		name := j.name
		if name == "-" {
			name = "stdin"
		}
		st, err := im.importFile(ctx, j.kind, name, r, size, *format)
		if errors.Is(err, catalogio.ErrUnreadable) {
			fmt.Fprintf(stderr, "paitor import: %v\n", err)
			if st.loaded() > 0 {
				fmt.Fprintf(stderr, "paitor import: %s: the %d rows before that were loaded\n", name, st.loaded())
			}
			return exitError{importUnreadable}
		}
		if err != nil {
			return err
		}
		if st.rejected > 0 {
			status = importRejected
		}
	}
	if status != importOK {
		return exitError{status}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// counted is what both stores offer besides content.CatalogStore: upserts that
// say how many existing rows changed.
type counted interface {
	UpsertCoursesCounted(ctx context.Context, cs []content.Course) (created, updated int, err error)
	UpsertOpeningsCounted(ctx context.Context, os []content.Opening) (created, updated int, err error)
}

// importer loads files into store (nil for a dry run), reporting as it goes.
type importer struct {
	store          content.CatalogStore
	stdout, stderr io.Writer
	terminal       bool // stderr is a terminal: draw a progress bar
}

// importStats counts one file's rows.
type importStats struct {
	rows                        int // data rows read
	created, updated, unchanged int // loaded rows (all "unchanged" in a dry run)
	rejected                    int // rows rejected
	elapsed                     time.Duration
}

func (s importStats) loaded() int { return s.created + s.updated + s.unchanged }

// importFile streams one file into the store in chunks of importChunk rows,
// printing every rejected row to stderr and a summary to stdout. The error is
// a catalogio *FileError (errors.Is ErrUnreadable) when the file cannot be
// read; rows before the place it broke may have been loaded.
func (im *importer) importFile(ctx context.Context, kind, name string, r io.Reader, size int64, format string) (importStats, error) {
	start := time.Now()
	counter := &countingReader{r: r}
	prog := newProgress(im.stderr, im.terminal, name, size, start)
	var st importStats
	lastLine := -1
	rejected := func(e catalogio.RowError) {
		if e.Line != lastLine {
			st.rejected++
			lastLine = e.Line
		}
		prog.println(e.Error())
	}
	warn := func(w string) { prog.println("warning: " + w) }
	good := 0 // rows read and passed on (the writer counts them again once stored)
	tick := func() { good++; prog.update(good+st.rejected, counter.n) }

	var err error
	switch kind {
	case "courses":
		w := newChunkWriter(ctx, im.store, &st, func(ctx context.Context, s content.CatalogStore, cs []content.Course) (int, int, error) {
			if c, ok := s.(counted); ok {
				return c.UpsertCoursesCounted(ctx, cs)
			}
			n, err := s.UpsertCourses(ctx, cs)
			return n, len(cs) - n, err
		})
		st.rows, err = catalogio.Stream(name, counter, format, catalogio.Handler[content.Course]{
			Item: func(_ int, c content.Course) error { defer tick(); return w.add(c) }, Rejected: rejected, Warning: warn,
		})
		err = w.finish(err)
	case "openings":
		w := newChunkWriter(ctx, im.store, &st, func(ctx context.Context, s content.CatalogStore, os []content.Opening) (int, int, error) {
			if c, ok := s.(counted); ok {
				return c.UpsertOpeningsCounted(ctx, os)
			}
			n, err := s.UpsertOpenings(ctx, os)
			return n, len(os) - n, err
		})
		st.rows, err = catalogio.Stream(name, counter, format, catalogio.Handler[content.Opening]{
			Item: func(_ int, o content.Opening) error { defer tick(); return w.add(o) }, Rejected: rejected, Warning: warn,
		})
		err = w.finish(err)
	case "occupations":
		// A few dozen rows: read them all, then write them in one go.
		var all []content.Occupation
		st.rows, err = catalogio.Stream(name, counter, format, catalogio.Handler[content.Occupation]{
			Item: func(_ int, o content.Occupation) error { tick(); all = append(all, o); return nil }, Rejected: rejected, Warning: warn,
		})
		if err == nil && im.store != nil && len(all) > 0 {
			err = im.store.UpsertOccupations(ctx, all)
		}
		if err == nil {
			st.updated = len(all) // occupations are replaced by id; new ones are not told apart
		}
	default:
		return st, fmt.Errorf("unknown kind %q", kind)
	}
	st.elapsed = time.Since(start)
	prog.finish()
	if err != nil {
		if !errors.Is(err, catalogio.ErrUnreadable) {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return st, err
	}
	im.summary(kind, name, st)
	return st, nil
}

// summary prints one line about a file to stdout.
func (im *importer) summary(kind, name string, st importStats) {
	secs := st.elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(st.rows) / secs
	}
	var loaded string
	switch {
	case im.store == nil:
		loaded = fmt.Sprintf("%s would load (dry run: nothing written)", thousands(st.loaded()))
	case kind == "occupations":
		loaded = fmt.Sprintf("%s loaded", thousands(st.loaded()))
	default:
		loaded = fmt.Sprintf("%s new, %s updated, %s unchanged", thousands(st.created), thousands(st.updated), thousands(st.unchanged))
	}
	fmt.Fprintf(im.stdout, "%s: %s rows read: %s, %s rejected; %.1f s (%s rows/s)\n",
		name, thousands(st.rows), loaded, thousands(st.rejected), secs, thousands(int(rate)))
}

// chunkWriter takes items one by one and upserts them importChunk at a time
// on a goroutine of its own, so reading the next chunk overlaps writing the
// last; at most three chunks are in memory. With no store it only counts.
type chunkWriter[T any] struct {
	ctx    context.Context
	cancel context.CancelFunc
	buf    []T
	ch     chan []T
	wg     sync.WaitGroup
	st     *importStats
	mu     sync.Mutex // guards st's counts and err while the writer runs
	err    error
	dry    bool
}

func newChunkWriter[T any](ctx context.Context, store content.CatalogStore, st *importStats, upsert func(context.Context, content.CatalogStore, []T) (created, updated int, err error)) *chunkWriter[T] {
	ctx, cancel := context.WithCancel(ctx)
	w := &chunkWriter[T]{ctx: ctx, cancel: cancel, st: st, ch: make(chan []T, 1), dry: store == nil}
	if w.dry {
		return w
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for chunk := range w.ch {
			if w.failed() != nil {
				continue // drain
			}
			created, updated, err := upsert(ctx, store, chunk)
			w.mu.Lock()
			if err != nil {
				w.err = err
				w.cancel()
			} else {
				w.st.created += created
				w.st.updated += updated
				w.st.unchanged += len(chunk) - created - updated
			}
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *chunkWriter[T]) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *chunkWriter[T]) add(item T) error {
	if w.dry {
		w.st.unchanged++
		return nil
	}
	w.buf = append(w.buf, item)
	if len(w.buf) < importChunk {
		return nil
	}
	return w.flush()
}

func (w *chunkWriter[T]) flush() error {
	if err := w.failed(); err != nil {
		return err
	}
	if len(w.buf) == 0 {
		return nil
	}
	select {
	case w.ch <- w.buf:
	case <-w.ctx.Done():
		if err := w.failed(); err != nil {
			return err
		}
		return w.ctx.Err()
	}
	w.buf = make([]T, 0, importChunk)
	return nil
}

// finish writes what is left (unless reading failed with readErr), waits for
// the writer and returns the first error.
func (w *chunkWriter[T]) finish(readErr error) error {
	defer w.cancel()
	if w.dry {
		return readErr
	}
	if readErr == nil || errors.Is(readErr, catalogio.ErrUnreadable) {
		// What was read before a broken spot is good: load it.
		if err := w.flush(); err != nil && readErr == nil {
			readErr = err
		}
	}
	close(w.ch)
	w.wg.Wait()
	if err := w.failed(); err != nil {
		if readErr == nil || errors.Is(readErr, catalogio.ErrUnreadable) {
			return err
		}
	}
	return readErr
}

// countingReader counts the bytes read through it, for the progress bar.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress reports how far a file has got on stderr: a bar redrawn in place
// on a terminal, a line every 10,000 rows otherwise.
type progress struct {
	w        io.Writer
	terminal bool
	name     string
	size     int64 // -1 when unknown
	start    time.Time
	drawn    bool      // a bar is on the screen
	lastDraw time.Time // terminal: when the bar was last drawn
	nextLine int       // plain: the row count of the next line
	rows     int
	read     int64
}

const progressEvery = 10_000

func newProgress(w io.Writer, terminal bool, name string, size int64, start time.Time) *progress {
	return &progress{w: w, terminal: terminal, name: name, size: size, start: start, nextLine: progressEvery}
}

func (p *progress) rate() float64 {
	if s := time.Since(p.start).Seconds(); s > 0 {
		return float64(p.rows) / s
	}
	return 0
}

func (p *progress) update(rows int, read int64) {
	p.rows, p.read = rows, read
	if !p.terminal {
		if rows >= p.nextLine {
			fmt.Fprintf(p.w, "%s: %s rows (%s rows/s)\n", p.name, thousands(rows), thousands(int(p.rate())))
			p.nextLine = (rows/progressEvery + 1) * progressEvery
		}
		return
	}
	if now := time.Now(); now.Sub(p.lastDraw) >= 100*time.Millisecond {
		p.lastDraw = now
		p.draw()
	}
}

func (p *progress) draw() {
	const width = 30
	bar := ""
	if p.size > 0 {
		frac := min(float64(p.read)/float64(p.size), 1)
		n := int(frac * width)
		bar = fmt.Sprintf("[%s%s] %3.0f%%  ", strings.Repeat("█", n), strings.Repeat("·", width-n), frac*100)
	}
	fmt.Fprintf(p.w, "\r\033[K%s %s%s rows  %s rows/s", filepath.Base(p.name), bar, thousands(p.rows), thousands(int(p.rate())))
	p.drawn = true
}

// println prints a line of its own (a rejected row, a warning), clearing
// the bar first.
func (p *progress) println(s string) {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
	fmt.Fprintln(p.w, s)
}

// finish clears the bar; the summary says the rest.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// thousands writes n with thousands separators: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
