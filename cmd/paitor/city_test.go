package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/citytoken"
	"github.com/paitor/paitor/content/postgres"
	"github.com/paitor/paitor/content/postgres/pgtest"
)

// cityDB points DATABASE_URL (through getenv) at a fresh schema and returns a
// store on it. Tests using it must not run in parallel.
func cityDB(t *testing.T) *postgres.Store {
	t.Helper()
	databaseURL, schema := pgtest.Schema(t)
	cityEnv(t, map[string]string{"DATABASE_URL": databaseURL})
	s, err := postgres.Open(t.Context(), databaseURL, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// cityEnv replaces the environment for the test.
func cityEnv(t *testing.T, env map[string]string) {
	t.Helper()
	old := getenv
	getenv = func(k string) string { return env[k] }
	t.Cleanup(func() { getenv = old })
}

// paitorRun runs `paitor city|token args...` as main's run does (which has
// them in its table) and returns the output and exit status.
func paitorRun(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := map[string]func(context.Context, []string, io.Writer, io.Writer) error{"city": runCity, "token": runToken, "org": runOrg, "counsellor": runCounsellor}[args[0]]
	if cmd == nil {
		t.Fatalf("paitorRun: no command %q", args[0])
	}
	var out, errOut bytes.Buffer
	switch err := cmd(ctx, args[1:], &out, &errOut); {
	case err == nil:
	case err == errUsage:
		code = 2
	default:
		fmt.Fprintf(&errOut, "paitor %s: %s\n", args[0], strings.Join(strings.Fields(err.Error()), " "))
		code = 1
	}
	return out.String(), errOut.String(), code
}

// paitorOK runs a command that must succeed.
func paitorOK(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, code := paitorRun(t, args...)
	if code != 0 {
		t.Fatalf("paitor %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout, stderr
}

// cityCmd and tokenCmd call the commands directly, as main's table will.
func cityCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runCity(t.Context(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func tokenCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runToken(t.Context(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustCmd(t *testing.T, what string, stdout, stderr string, err error) string {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", what, err, stdout, stderr)
	}
	return stdout
}

var secretPattern = regexp.MustCompile(`pt_[A-Za-z0-9_-]{43}`)

func TestCityAndTokenLifecycle(t *testing.T) {
	s := cityDB(t)
	ctx := t.Context()

	// A city by Thai name, ISO code and a district given by province name.
	stdout, stderr, err := cityCmd(t, "create", "--name", "เทศบาลนครขอนแก่น", "--province", "ขอนแก่น", "--province", "TH-44",
		"--district", "ขอนแก่น/เมืองขอนแก่น", "--approval")
	id := strings.TrimSpace(mustCmd(t, "city create", stdout, stderr, err))
	city, err := s.City(ctx, id)
	if err != nil {
		t.Fatalf("city create printed %q, which is no city: %v", stdout, err)
	}
	if city.Name != "เทศบาลนครขอนแก่น" || strings.Join(city.Provinces, ",") != "TH-40,TH-44" ||
		strings.Join(city.Districts, ",") != "TH-40/เมืองขอนแก่น" || !city.RequiresApproval {
		t.Errorf("created city = %+v", city)
	}
	if !strings.Contains(stderr, "paitor token create --city "+id) {
		t.Errorf("city create does not say what comes next: %s", stderr)
	}

	// Listed.
	stdout, _ = paitorOK(t, "city", "list")
	cityWantContains(t, "city list", stdout, "ID", "NAME", id, "เทศบาลนครขอนแก่น", "TH-40,TH-44", "TH-40/เมืองขอนแก่น", "required")

	// A token: the secret is printed once, and what is stored is its hash.
	stdout, stderr, err = tokenCmd(t, "create", "--city", id, "--role", "editor", "--label", "ฝ่ายการศึกษา")
	mustCmd(t, "token create", stdout, stderr, err)
	secrets := secretPattern.FindAllString(stdout, -1)
	if len(secrets) != 1 {
		t.Fatalf("token create printed %d secrets:\n%s", len(secrets), stdout)
	}
	cityWantContains(t, "token create", stdout, "shown this once only", "cannot be shown again")
	token, err := s.TokenByHash(ctx, citytoken.HashSecret(secrets[0]))
	if err != nil {
		t.Fatalf("the printed secret finds no token: %v", err)
	}
	if token.CityID != id || token.Role != content.RoleEditor || token.Label != "ฝ่ายการศึกษา" || !token.RevokedAt.IsZero() {
		t.Errorf("stored token = %+v", token)
	}
	cityWantContains(t, "token create", stdout, token.ID)

	stdout, stderr, err = tokenCmd(t, "create", "--city", id, "--role", "approver")
	mustCmd(t, "token create approver", stdout, stderr, err)
	if second := secretPattern.FindString(stdout); second == "" || second == secrets[0] {
		t.Errorf("second secret %q", second)
	}

	// The list shows IDs, roles and labels, never a secret or a hash.
	stdout, _ = paitorOK(t, "token", "list", "--city", id)
	cityWantContains(t, "token list", stdout, token.ID, "editor", "ฝ่ายการศึกษา", "approver")
	if secretPattern.MatchString(stdout) || strings.Contains(stdout, token.Hash) {
		t.Errorf("token list shows a secret or hash:\n%s", stdout)
	}

	// Revoked: still stored (and found), with the time; again is harmless.
	stdout, _ = paitorOK(t, "token", "revoke", token.ID)
	cityWantContains(t, "token revoke", stdout, "revoked token "+token.ID)
	revoked, err := s.TokenByHash(ctx, token.Hash)
	if err != nil || revoked.RevokedAt.IsZero() {
		t.Fatalf("after revoke: %+v, %v", revoked, err)
	}
	stdout, _ = paitorOK(t, "token", "revoke", token.ID)
	cityWantContains(t, "token revoke again", stdout, "already revoked")
	stdout, _ = paitorOK(t, "token", "list", "--city", id)
	cityWantContains(t, "token list after revoke", stdout, revoked.RevokedAt.Format(time.DateTime))

	// Every change is in the audit log, as the operator's (no token).
	log, err := s.AuditLog(ctx, id, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
		if e.TokenID != "" {
			t.Errorf("audit entry %+v has a token; an operator's has none", e)
		}
		if strings.Contains(e.Detail, secrets[0]) || strings.Contains(e.Detail, token.Hash) {
			t.Errorf("audit entry %+v holds a secret", e)
		}
	}
	if got, want := strings.Join(actions, " "), "token.revoke token.create token.create city.create"; got != want {
		t.Errorf("audit log = %s, want %s", got, want)
	}
	if log[0].Object != token.ID || log[len(log)-1].Object != id {
		t.Errorf("audit objects: %+v", log)
	}
}

func TestCityCommandsRejectBadInput(t *testing.T) {
	s := cityDB(t)
	city, err := s.CreateCity(t.Context(), content.City{Name: "อบจ.น่าน", Provinces: []string{"TH-55"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"city", "create", "--province", "TH-40"}, "--name is required"},
		{[]string{"city", "create", "--name", "x"}, "at least one --province"},
		{[]string{"city", "create", "--name", "x", "--province", "แอตแลนติส"}, "not a province"},
		{[]string{"city", "create", "--name", "x", "--province", "เชียงไหม่"}, "did you mean เชียงใหม่ (TH-50)"},
		{[]string{"city", "create", "--name", "x", "--province", "TH-40", "--district", "เชียงใหม่/เมือง"}, "not one of the city's --province"},
		{[]string{"city", "create", "--name", "x", "--province", "TH-40", "--district", "เมือง"}, "PROVINCE/DISTRICT"},
		{[]string{"token", "create", "--role", "editor"}, "--city is required"},
		{[]string{"token", "create", "--city", "x", "--role", "editor"}, "is not a city ID"},
		{[]string{"token", "create", "--city", city.ID, "--role", "admin"}, "--role must be editor or approver"},
		{[]string{"token", "create", "--city", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "--role", "editor"}, "no city 1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
		{[]string{"token", "list", "--city", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}, "no city"},
		{[]string{"token", "revoke", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}, "no token"},
		{[]string{"token", "revoke"}, "give one token ID"},
	} {
		stdout, stderr, code := paitorRun(t, tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("paitor %s: exit %d, stderr %q; want exit 1 saying %q (stdout %q)", strings.Join(tt.args, " "), code, stderr, tt.want, stdout)
		}
	}
	if cities, _ := s.Cities(t.Context()); len(cities) != 1 {
		t.Errorf("rejected commands created cities: %+v", cities)
	}
	// No tokens made for the city either.
	if tokens, _ := s.Tokens(t.Context(), city.ID); len(tokens) != 0 {
		t.Errorf("rejected commands created tokens: %+v", tokens)
	}
	if stdout, _ := paitorOK(t, "token", "list", "--city", city.ID); !strings.Contains(stdout, "no tokens yet") {
		t.Errorf("token list of a city without tokens: %s", stdout)
	}
}

func TestCityCommandsNeedDatabase(t *testing.T) {
	cityEnv(t, map[string]string{})
	for _, args := range [][]string{
		{"city", "create", "--name", "x", "--province", "TH-40"},
		{"city", "list"},
		{"token", "create", "--city", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "--role", "editor"},
		{"token", "list", "--city", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
		{"token", "revoke", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
	} {
		_, stderr, code := paitorRun(t, args...)
		if code != 1 || !strings.Contains(stderr, "DATABASE_URL is not set") {
			t.Errorf("paitor %s without DATABASE_URL: exit %d, %q", strings.Join(args, " "), code, stderr)
		}
	}
}

func TestCityCommandsUsage(t *testing.T) {
	cityEnv(t, map[string]string{})
	if _, stderr, code := paitorRun(t, "city"); code != 2 || !strings.Contains(stderr, "paitor city create") {
		t.Errorf("paitor city: exit %d, %q", code, stderr)
	}
	if _, stderr, code := paitorRun(t, "token", "rotate"); code != 2 || !strings.Contains(stderr, `unknown subcommand "rotate"`) {
		t.Errorf("paitor token rotate: exit %d, %q", code, stderr)
	}
	for _, args := range [][]string{{"city", "-h"}, {"token", "--help"}, {"city", "create", "-h"}, {"token", "create", "-h"}} {
		stdout, _, code := paitorRun(t, args...)
		if code != 0 || !strings.Contains(stdout, "Needs DATABASE_URL") {
			t.Errorf("paitor %s: exit %d, %q", strings.Join(args, " "), code, stdout)
		}
	}
}

func cityWantContains(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s does not say %q:\n%s", what, p, text)
		}
	}
}
