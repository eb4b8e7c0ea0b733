package adminapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"

	"github.com/paitor/paitor/content"
)

// maxBody is the largest request body read (a festival with a long
// description is a few kilobytes).
const maxBody = 1 << 20

// statusOf maps a domain error code to its HTTP status. It is the only place
// that does.
func statusOf(code string) int {
	switch code {
	case content.ENOTFOUND:
		return http.StatusNotFound
	case content.EINVALID:
		return http.StatusBadRequest
	case content.ECONFLICT:
		return http.StatusConflict
	case content.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case content.EFORBIDDEN:
		return http.StatusForbidden
	default:
		return http.StatusInternalServerError
	}
}

// fieldErrors collects validation problems by JSON field name
// ("title_th", "audience.provinces", "activities[2]").
type fieldErrors map[string]string

// add records the first problem of a field; later ones are dropped so the
// message stays the most basic one ("required" before "too long").
func (fe fieldErrors) add(field, format string, args ...any) {
	if _, seen := fe[field]; !seen {
		fe[field] = fmt.Sprintf(format, args...)
	}
}

// err returns an *invalidError for the collected problems, or nil.
func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &invalidError{fields: maps.Clone(fe)}
}

// invalidError is an EINVALID error that names the offending fields.
type invalidError struct {
	message string
	fields  map[string]string
}

func (e *invalidError) Error() string {
	return fmt.Sprintf("%s: %s %v", content.EINVALID, e.msg(), e.fields)
}

func (e *invalidError) msg() string {
	if e.message != "" {
		return e.message
	}
	return "the request has invalid fields"
}

// Unwrap makes content.ErrorCode see EINVALID.
func (e *invalidError) Unwrap() error { return content.Errorf(content.EINVALID, "%s", e.msg()) }

// invalidField is a single-field validation error.
func invalidField(field, format string, args ...any) error {
	fe := fieldErrors{}
	fe.add(field, format, args...)
	return fe.err()
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDoc `json:"error"`
}

type errorDoc struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers with the error's code and status. Internal errors are
// logged and their text is not shown.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := content.ErrorCode(err)
	doc := errorDoc{Code: code}
	var inv *invalidError
	var ce *content.Error
	switch {
	case code == content.EINTERNAL:
		h.log.ErrorContext(r.Context(), "adminapi: internal error",
			"method", r.Method, "path", r.URL.Path, "err", err)
		doc.Message = "internal error"
	case errors.As(err, &inv):
		doc.Message, doc.Fields = inv.msg(), inv.fields
	case errors.As(err, &ce):
		doc.Message = ce.Message
	}
	writeJSON(w, statusOf(code), errorBody{Error: doc})
}

// decode reads one JSON object into dst, refusing unknown fields, trailing
// data and bodies over maxBody.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &invalidError{message: "the body must hold a single JSON object"}
	}
	return nil
}

// decodeError turns what encoding/json reports into an EINVALID error that
// names the field when it can.
func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return &invalidError{message: "a JSON body is required"}
	case errors.As(err, &big):
		return &invalidError{message: fmt.Sprintf("the body is larger than %d bytes", big.Limit)}
	case errors.As(err, &syn):
		return &invalidError{message: fmt.Sprintf("malformed JSON at byte %d", syn.Offset)}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &invalidError{message: "the body must be a JSON object"}
		}
		return &invalidError{fields: map[string]string{field: "must be " + jsonKind(typ.Type.Kind().String())}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &invalidError{message: "malformed JSON: unexpected end of the body"}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return &invalidError{message: "unknown field " + name, fields: map[string]string{name: "unknown field"}}
	}
	return &invalidError{message: "malformed JSON"}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "float64":
		return "a number"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "of another type"
}
