package catalogio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// cell is one value of a row: text, or (from JSON) a list.
type cell struct {
	text   string
	list   []string
	isList bool
}

// record is one data row as read, before its values are checked.
type record struct {
	line  int
	cells map[string]cell // by English column name; absent = not given
	errs  []RowError      // problems found while reading it
}

// source yields records; io.EOF after the last.
type source interface {
	next() (record, error)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// open looks at the start of the file and returns a CSV or JSON source for it.
func open(name string, r io.Reader, format string, kindName string, cols []column, warn func(string)) (source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	start, err := br.Peek(4)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, &FileError{File: name, Reason: "cannot read: " + err.Error()}
	}
	switch {
	case bytes.HasPrefix(start, utf8BOM):
		br.Discard(len(utf8BOM))
	case bytes.HasPrefix(start, []byte{0xFF, 0xFE}), bytes.HasPrefix(start, []byte{0xFE, 0xFF}):
		return nil, &FileError{File: name, Reason: "the file is UTF-16 text: save it as UTF-8 (Excel: Save As → \"CSV UTF-8 (Comma delimited)\")"}
	}
	first, found, err := firstNonSpace(br)
	if err != nil {
		return nil, &FileError{File: name, Reason: "cannot read: " + err.Error()}
	}
	if !found {
		return nil, &FileError{File: name, Reason: "the file is empty"}
	}

	switch format {
	case "":
		switch strings.ToLower(filepath.Ext(name)) {
		case ".json":
			format = "json"
		case ".csv", ".tsv", ".txt":
			format = "csv"
		default:
			format = "csv"
			if first == '[' {
				format = "json"
			}
		}
	case "csv", "json":
	default:
		return nil, &FileError{File: name, Reason: fmt.Sprintf("unknown format %q: use csv or json", format)}
	}
	byName := columnIndex(cols)
	if format == "json" {
		if first != '[' {
			return nil, &FileError{File: name, Reason: fmt.Sprintf("not a JSON array: a %s file in JSON is [ {...}, {...} ], one object per row", kindName)}
		}
		return newJSONSource(name, br, byName, warn)
	}
	return newCSVSource(name, br, kindName, cols, byName, warn)
}

// firstNonSpace peeks at the first byte that is not white space, without
// consuming it; ok is false for an empty (or all-blank) file.
func firstNonSpace(br *bufio.Reader) (c byte, ok bool, err error) {
	for n := 1; ; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			if err == io.EOF || err == nil || err == bufio.ErrBufferFull {
				return 0, false, nil // (64 KiB of white space is empty enough)
			}
			return 0, false, err
		}
		switch c := b[n-1]; c {
		case ' ', '\t', '\r', '\n':
			continue
		default:
			return c, true, nil
		}
	}
}

// columnIndex maps every accepted spelling of a column name to the column.
func columnIndex(cols []column) map[string]string {
	m := map[string]string{}
	for _, c := range cols {
		m[headerKey(c.name)] = c.name
		for _, th := range c.thai {
			m[headerKey(th)] = c.name
		}
	}
	return m
}

// headerKey is a header cell as compared with column names: lower case, with
// spaces, underscores, hyphens, dots and a required-marking "*" removed, so
// "Title TH", "title-th" and "title_th" are the same and "ชื่อ คอร์ส" is
// "ชื่อคอร์ส".
func headerKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF")))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '*', '\u00a0', '\u200b':
			return -1
		}
		return r
	}, s)
}

// lookupHeader finds the column a header cell names. "ชื่อคอร์ส (title_th)"
// and "title_th (ชื่อคอร์ส)" name it too.
func lookupHeader(byName map[string]string, h string) (string, bool) {
	if c, ok := byName[headerKey(h)]; ok {
		return c, true
	}
	if before, rest, ok := strings.Cut(h, "("); ok {
		inside, _, _ := strings.Cut(rest, ")")
		for _, part := range []string{before, inside} {
			if c, ok := byName[headerKey(part)]; ok {
				return c, true
			}
		}
	}
	return "", false
}

// ---- CSV ----

type csvSource struct {
	name    string
	r       *csv.Reader
	columns []string // by position: the column each value belongs to; "" = ignored
}

// sniffDelimiter picks the separator of the header line: a comma, unless the
// line has more semicolons or tabs (Excel in some languages, or TSV).
func sniffDelimiter(br *bufio.Reader) rune {
	b, _ := br.Peek(br.Buffered())
	if len(b) == 0 {
		b, _ = br.Peek(4096)
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	best, n := ',', bytes.Count(b, []byte{','})
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(b, []byte{byte(d)}); c > n {
			best, n = d, c
		}
	}
	return best
}

func newCSVSource(name string, br *bufio.Reader, kindName string, cols []column, byName map[string]string, warn func(string)) (*csvSource, error) {
	r := csv.NewReader(br)
	r.Comma = sniffDelimiter(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &FileError{File: name, Line: pe.StartLine, Reason: "not a CSV file: " + pe.Err.Error()}
		}
		return nil, &FileError{File: name, Reason: "not a CSV file: " + err.Error()}
	}
	s := &csvSource{name: name, r: r, columns: make([]string, len(header))}
	seen := map[string]int{}
	known := 0
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, &FileError{File: name, Line: 1, Reason: "the header is not UTF-8 text: save the file as \"CSV UTF-8\" (Excel and Thai Windows programs often save TIS-620 instead)"}
		}
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		c, ok := lookupHeader(byName, h)
		if !ok {
			warn(fmt.Sprintf("%s:1: column %q is not a %s column: it is ignored", name, h, kindName))
			continue
		}
		if j, dup := seen[c]; dup {
			return nil, &FileError{File: name, Line: 1, Reason: fmt.Sprintf("columns %d and %d of the header are both %s", j+1, i+1, c)}
		}
		seen[c] = i
		s.columns[i] = c
		known++
	}
	var missing []column
	for _, c := range requiredColumns(cols) {
		if _, ok := seen[c.name]; !ok {
			missing = append(missing, c)
		}
	}
	if known == 0 {
		return nil, &FileError{File: name, Line: 1, Reason: fmt.Sprintf("not a %s file: the first line must be a header naming the columns, such as %s", kindName, strings.Join(columnNames(requiredColumns(cols)), ", "))}
	}
	if len(missing) > 0 {
		return nil, &FileError{File: name, Line: 1, Reason: "the header lacks required columns: " + strings.Join(columnNames(missing), ", ")}
	}
	return s, nil
}

func (s *csvSource) next() (record, error) {
	for {
		fields, err := s.r.Read()
		if err == io.EOF {
			return record{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader goes on from the next line: only this row is lost.
			return record{line: pe.StartLine, errs: []RowError{{File: s.name, Line: pe.StartLine,
				Reason: "broken CSV: " + pe.Err.Error() + ` (a value with a comma, a quote or a line break must be in double quotes, with each " in it written as "")`}}}, nil
		} else if err != nil {
			return record{}, &FileError{File: s.name, Reason: "cannot read: " + err.Error()}
		}
		line, _ := s.r.FieldPos(0)
		if blank(fields) {
			continue
		}
		rec := record{line: line, cells: make(map[string]cell, len(fields))}
		for i, v := range fields {
			if i >= len(s.columns) {
				if strings.TrimSpace(v) != "" {
					rec.errs = append(rec.errs, RowError{File: s.name, Line: line,
						Reason: fmt.Sprintf("the row has %d values but the header only %d columns (is a value with a comma missing its double quotes?)", countValues(fields), len(s.columns))})
					break
				}
				continue
			}
			c := s.columns[i]
			if c == "" {
				continue
			}
			if !utf8.ValidString(v) {
				rec.errs = append(rec.errs, RowError{File: s.name, Line: line, Column: c, Reason: "not UTF-8 text: save the file as \"CSV UTF-8\""})
				continue
			}
			rec.cells[c] = cell{text: strings.TrimSpace(v)}
		}
		return rec, nil
	}
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// countValues counts values up to the last non-empty one.
func countValues(fields []string) int {
	n := len(fields)
	for n > 0 && strings.TrimSpace(fields[n-1]) == "" {
		n--
	}
	return n
}

// ---- JSON ----

type jsonSource struct {
	name   string
	dec    *json.Decoder
	lines  *lineCounter
	byName map[string]string
	warn   func(string)
	warned map[string]bool
	done   bool
}

func newJSONSource(name string, r io.Reader, byName map[string]string, warn func(string)) (*jsonSource, error) {
	lc := &lineCounter{r: r, line: 1}
	s := &jsonSource{name: name, dec: json.NewDecoder(lc), lines: lc, byName: byName, warn: warn, warned: map[string]bool{}}
	s.dec.UseNumber()
	if _, err := s.dec.Token(); err != nil { // the '[' open checked
		return nil, s.syntax(err)
	}
	return s, nil
}

func (s *jsonSource) syntax(err error) error {
	line := s.lines.lineAt(s.dec.InputOffset())
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line = s.lines.lineAt(se.Offset)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &FileError{File: s.name, Reason: "the JSON ends too early (a missing ] or }?)"}
	}
	return &FileError{File: s.name, Line: line, Reason: "broken JSON: " + err.Error()}
}

func (s *jsonSource) next() (record, error) {
	if s.done || !s.dec.More() {
		if !s.done {
			s.done = true
			if _, err := s.dec.Token(); err != nil { // the closing ']'
				return record{}, s.syntax(err)
			}
		}
		return record{}, io.EOF
	}
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		return record{}, s.syntax(err)
	}
	line := s.lines.lineAt(s.dec.InputOffset() - int64(len(raw)))
	rec := record{line: line, cells: map[string]cell{}}
	if len(raw) == 0 || raw[0] != '{' {
		rec.errs = []RowError{{File: s.name, Line: line, Reason: "each item of the array must be an object: {\"column\": value, ...}"}}
		return rec, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		rec.errs = []RowError{{File: s.name, Line: line, Reason: "broken JSON object: " + err.Error()}}
		return rec, nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c, ok := lookupHeader(s.byName, k)
		if !ok {
			if !s.warned[k] {
				s.warned[k] = true
				s.warn(fmt.Sprintf("%s:%d: key %q is not a column: it is ignored", s.name, line, k))
			}
			continue
		}
		v, err := jsonCell(obj[k])
		if err != nil {
			rec.errs = append(rec.errs, RowError{File: s.name, Line: line, Column: c, Reason: err.Error()})
			continue
		}
		rec.cells[c] = v
	}
	return rec, nil
}

// jsonCell turns a JSON value into a cell: strings, numbers and booleans as
// their text, an array of them as a list, an object of numbers (demand) as a
// list of "key:value", null as nothing.
func jsonCell(raw json.RawMessage) (cell, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return cell{}, nil
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return cell{}, err
		}
		c := cell{isList: true}
		for _, it := range items {
			s, err := jsonScalar(it)
			if err != nil {
				return cell{}, errors.New("a list may hold only strings, numbers and true/false")
			}
			if s = strings.TrimSpace(s); s != "" {
				c.list = append(c.list, s)
			}
		}
		return c, nil
	case '{':
		var m map[string]json.Number
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			return cell{}, errors.New("an object here may hold only numbers, as in {\"northeast\": 3}")
		}
		c := cell{isList: true}
		for k, v := range m {
			c.list = append(c.list, k+":"+v.String())
		}
		slices.Sort(c.list)
		return c, nil
	}
	s, err := jsonScalar(raw)
	if err != nil {
		return cell{}, err
	}
	return cell{text: strings.TrimSpace(s)}, nil
}

func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case string(raw) == "true" || string(raw) == "false":
		return string(raw), nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		var n json.Number
		err := json.Unmarshal(raw, &n)
		return n.String(), err
	}
	return "", errors.New("want a string, a number, true/false or a list")
}

// lineCounter passes reads through and tells the line of any byte offset at
// or after the last one asked about, keeping only the bytes not yet counted.
type lineCounter struct {
	r       io.Reader
	pending []byte // bytes from offset base on, read but not yet counted
	base    int64
	line    int // the line at offset base
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.pending = append(l.pending, p[:n]...)
	return n, err
}

// lineAt returns the line of the byte at offset off (offsets only grow).
func (l *lineCounter) lineAt(off int64) int {
	if d := off - l.base; d > 0 {
		d = min(d, int64(len(l.pending)))
		l.line += bytes.Count(l.pending[:d], []byte{'\n'})
		l.pending = append(l.pending[:0], l.pending[d:]...)
		l.base += d
	}
	return l.line
}
