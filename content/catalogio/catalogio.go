// Package catalogio reads the catalog files people prepare for Pai Tor —
// courses, work-study openings and occupation families — as CSV (what Excel
// and Google Sheets save) or JSON, and checks every row. It only parses and
// validates: storing is the caller's (see `paitor import`).
//
// A row with any problem is rejected whole, with one RowError per problem
// ("courses.csv:12: start_date: ..."); the other rows load. The error return
// is only for a file that cannot be read at all: not CSV or JSON, empty, not
// UTF-8, or missing a required column. FORMATS.md documents every column.
package catalogio

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/paitor/paitor/content"
)

// RowError is one problem with one row: it rejects the row.
type RowError struct {
	File   string
	Line   int    // the row's first line in the file (1 = the CSV header)
	Column string // the English column name; "" for the row as a whole
	Reason string
}

// Error is "file:line: column: reason" (no column for a whole-row problem).
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Column, e.Reason)
}

// Result is a whole file read into memory (fine for hand-made files; big ones
// go through the Stream functions).
type Result[T any] struct {
	Items    []T
	Lines    []int      // the source line of each item
	Rejected []RowError // one per problem; a rejected row may have several
	Warnings []string   // about the file, not a row: unknown columns, no rows
	Rows     int        // data rows read (blank rows are not counted)
}

// RejectedRows counts the rows rejected (Rejected may name a row more than once).
func (r Result[T]) RejectedRows() int { return countLines(r.Rejected) }

func countLines(errs []RowError) int {
	n, last := 0, -1
	for _, e := range errs {
		if e.Line != last {
			n, last = n+1, e.Line
		}
	}
	return n
}

// ErrUnreadable is in the chain of every error for a file that cannot be read
// at all (a *FileError); errors.Is(err, ErrUnreadable) tells them from errors
// returned by the caller's own functions.
var ErrUnreadable = errors.New("unreadable catalog file")

// FileError says why a file cannot be read at all.
type FileError struct {
	File   string
	Line   int // 0 when not about one place
	Reason string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// Is makes errors.Is(err, ErrUnreadable) true.
func (e *FileError) Is(target error) bool { return target == ErrUnreadable }

// Item is what a catalog file holds.
type Item interface {
	content.Course | content.Opening | content.Occupation
}

// Handler receives what Stream reads.
type Handler[T Item] struct {
	// Item gets every good row, in file order, with its line; an error stops
	// the reading and Stream returns it as is. Required.
	Item func(line int, item T) error
	// Rejected gets every problem of every rejected row. May be nil.
	Rejected func(RowError)
	// Warning gets remarks about the file (an unknown column, no rows). May be nil.
	Warning func(string)
}

// Stream reads a file of courses, openings or occupations row by row, so a big
// file never sits in memory. name is used in messages and, when format is "",
// to tell the format by its extension (.json is JSON, anything else CSV; a
// file whose first character is "[" is JSON too). It returns how many data
// rows it read, and an error only when the file cannot be read (*FileError)
// or when h.Item returns one.
func Stream[T Item](name string, r io.Reader, format string, h Handler[T]) (rows int, err error) {
	if h.Rejected == nil {
		h.Rejected = func(RowError) {}
	}
	if h.Warning == nil {
		h.Warning = func(string) {}
	}
	var k kind[T]
	switch p := any(&k).(type) {
	case *kind[content.Course]:
		*p = courseKind
	case *kind[content.Opening]:
		*p = openingKind
	case *kind[content.Occupation]:
		*p = occupationKind
	}
	return stream(name, r, format, k, h)
}

// StreamCourses streams a courses file: fn gets every good course, rejected
// every problem (it may be nil). See Stream.
func StreamCourses(name string, r io.Reader, format string, fn func(line int, c content.Course) error, rejected func(RowError)) (rows int, err error) {
	return Stream(name, r, format, Handler[content.Course]{Item: fn, Rejected: rejected})
}

// StreamOpenings streams an openings file. See Stream.
func StreamOpenings(name string, r io.Reader, format string, fn func(line int, o content.Opening) error, rejected func(RowError)) (rows int, err error) {
	return Stream(name, r, format, Handler[content.Opening]{Item: fn, Rejected: rejected})
}

// Parse reads a whole file into a Result.
func Parse[T Item](name string, r io.Reader, format string) (Result[T], error) {
	var res Result[T]
	rows, err := Stream(name, r, format, Handler[T]{
		Item: func(line int, item T) error {
			res.Items = append(res.Items, item)
			res.Lines = append(res.Lines, line)
			return nil
		},
		Rejected: func(e RowError) { res.Rejected = append(res.Rejected, e) },
		Warning:  func(w string) { res.Warnings = append(res.Warnings, w) },
	})
	res.Rows = rows
	return res, err
}

// ParseCourses reads a whole courses file. format is "csv", "json" or "" (by
// the name's extension).
func ParseCourses(name string, r io.Reader, format string) (Result[content.Course], error) {
	return Parse[content.Course](name, r, format)
}

// ParseOpenings reads a whole openings file.
func ParseOpenings(name string, r io.Reader, format string) (Result[content.Opening], error) {
	return Parse[content.Opening](name, r, format)
}

// ParseOccupations reads a whole occupations file.
func ParseOccupations(name string, r io.Reader, format string) (Result[content.Occupation], error) {
	return Parse[content.Occupation](name, r, format)
}

// kind is what differs between the three files.
type kind[T Item] struct {
	name    string // "courses", for messages
	columns []column
	// build makes an item of a row, recording problems on the row, and
	// returns the key no two rows of a file may share.
	build func(r *row) (T, string)
	// keyColumn is where a repeated key is reported.
	keyColumn string
}

func stream[T Item](name string, r io.Reader, format string, k kind[T], h Handler[T]) (int, error) {
	if h.Item == nil {
		return 0, errors.New("catalogio: Handler.Item is nil")
	}
	src, err := open(name, r, format, k.name, k.columns, h.Warning)
	if err != nil {
		return 0, err
	}
	rows := 0
	seen := map[string]int{} // key → line of the row that loaded it
	for {
		rec, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rows, err
		}
		rows++
		rw := &row{file: name, line: rec.line, cells: rec.cells, errs: rec.errs}
		var item T
		var key string
		if len(rw.errs) == 0 {
			item, key = k.build(rw)
		}
		if len(rw.errs) == 0 {
			if first, dup := seen[key]; dup {
				rw.fail(k.keyColumn, "the same as line %d: each row needs its own %s", first, keyName(k.keyColumn))
			} else {
				seen[key] = rec.line
			}
		}
		if len(rw.errs) > 0 {
			for _, e := range rw.errs {
				h.Rejected(e)
			}
			continue
		}
		if err := h.Item(rec.line, item); err != nil {
			return rows, err
		}
	}
	if rows == 0 {
		h.Warning(fmt.Sprintf("%s: no rows under the header: nothing to import", name))
	}
	return rows, nil
}

func keyName(col string) string {
	if col == "external_id" {
		return "source and external_id"
	}
	return col
}

// column is one column of a file.
type column struct {
	name     string   // English name, used in JSON and in messages
	thai     []string // Thai aliases for a CSV header
	required bool     // the header must have it (a row's value may still be checked further)
}

// columnNames lists names for a message: "title_th (ชื่อคอร์ส)".
func columnNames(cols []column) []string {
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		s := c.name
		if len(c.thai) > 0 {
			s += " (" + c.thai[0] + ")"
		}
		out = append(out, s)
	}
	return out
}

func requiredColumns(cols []column) []column {
	return slices.DeleteFunc(slices.Clone(cols), func(c column) bool { return !c.required })
}
