package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/citytoken"
	"github.com/paitor/paitor/content/place"
	"github.com/paitor/paitor/content/postgres"
)

// Operator commands for cities (the tenants that publish festivals) and their
// API tokens. They work on PostgreSQL only, and every change they make is
// written to the city's audit log with no token (an operator).

const cityAbout = `Creates and lists cities: the learning cities, municipalities or province
offices that publish festivals to the residents of their area.

  paitor city create --name NAME --province P [--province P2] [--district "P/อำเภอ"] [--approval]
  paitor city list

Provinces are ISO 3166-2 codes (TH-40) or names (ขอนแก่น, Khon Kaen). A
district limits the area to that district of one of the provinces; write it as
residents give it in their profiles. --approval makes announcements wait for an
approver. create prints the new city's ID. Needs DATABASE_URL.`

const tokenAbout = `Creates, lists and revokes a city's API tokens.

  paitor token create --city CITY_ID --role editor|approver [--label TEXT]
  paitor token list --city CITY_ID
  paitor token revoke TOKEN_ID

An editor creates festivals and announcements and schedules them; an approver
also approves announcements. create prints the token's secret once: only its
hash is stored, so it cannot be shown again (if it is lost, revoke the token
and create another). list never shows secrets. Needs DATABASE_URL.`

// cityVerb is one subcommand of a command with verbs (city create, token list).
type cityVerb struct {
	name string
	run  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// runVerbs runs the verb args[0] names; no verb prints the usage (exit 2),
// -h prints it too (exit 0).
func runCityVerbs(ctx context.Context, command, about string, verbs []cityVerb, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "Usage: paitor %s\n\n%s\n", command, about)
		return errUsage
	}
	if helped(args[:1]) || args[0] == "help" {
		fmt.Fprintln(stdout, about)
		return nil
	}
	for _, v := range verbs {
		if v.name == args[0] {
			return v.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "paitor %s: unknown subcommand %q\n\n%s\n", command, args[0], about)
	return errUsage
}

func runCity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runCityVerbs(ctx, "city", cityAbout, []cityVerb{{"create", runCityCreate}, {"list", runCityList}}, args, stdout, stderr)
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runCityVerbs(ctx, "token", tokenAbout, []cityVerb{{"create", runTokenCreate}, {"list", runTokenList}, {"revoke", runTokenRevoke}}, args, stdout, stderr)
}

// repeatedFlag is a flag that may be given several times.
type repeatedFlag []string

func (l *repeatedFlag) String() string { return strings.Join(*l, ", ") }

func (l *repeatedFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// openCityStore opens (and migrates) the PostgreSQL store in DATABASE_URL.
func openCityStore(ctx context.Context) (*postgres.Store, error) {
	c, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	if c.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set: cities and their tokens are kept in PostgreSQL (the embedded store lives only inside a running service, so there is nothing to manage here)")
	}
	s, err := postgres.Open(ctx, c.DatabaseURL, postgres.Options{})
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("DATABASE_URL: migrate: %w", err)
	}
	return s, nil
}

// cityProvince reads a province given as an ISO code or a name.
func cityProvince(text string) (string, error) {
	text = strings.TrimSpace(text)
	if p, ok := place.ByCode(text); ok {
		return p.Code, nil
	}
	best, alts, ok := place.Find(text)
	if ok && best.Exact {
		return best.Province.Code, nil
	}
	if ok {
		alts = append([]place.Match{best}, alts...)
	}
	if len(alts) > 0 {
		var names []string
		for _, m := range alts {
			names = append(names, m.Province.TH+" ("+m.Province.Code+")")
		}
		return "", fmt.Errorf("province %q is not a province code or name; did you mean %s?", text, strings.Join(names, " or "))
	}
	return "", fmt.Errorf("province %q is not a province code (TH-40) or name (ขอนแก่น)", text)
}

// provinceCodes reads --province values given as ISO codes or names.
func provinceCodes(values []string) ([]string, error) {
	var codes []string
	for _, p := range values {
		code, err := cityProvince(p)
		if err != nil {
			return nil, err
		}
		codes = append(codes, code)
	}
	return codes, nil
}

// districtCode reads a --district value, "PROVINCE/DISTRICT", as its
// province's code and "TH-40/DISTRICT".
func districtCode(value string) (province, district string, err error) {
	p, name, ok := strings.Cut(value, "/")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", fmt.Errorf(`--district %q: write it as "PROVINCE/DISTRICT", e.g. "ขอนแก่น/เมืองขอนแก่น"`, value)
	}
	code, err := cityProvince(p)
	if err != nil {
		return "", "", fmt.Errorf("--district %q: %w", value, err)
	}
	return code, code + "/" + name, nil
}

// cityID checks a --city value.
func parseCityFlag(v string) (string, error) {
	if v == "" {
		return "", errors.New("--city is required (paitor city list shows the IDs)")
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return "", fmt.Errorf("--city %q is not a city ID (paitor city list shows them)", v)
	}
	return id.String(), nil
}

// findCity returns the city, saying how to find IDs when there is none.
func lookupCity(ctx context.Context, s content.CityStore, id string) (content.City, error) {
	c, err := s.City(ctx, id)
	if content.IsNotFound(err) {
		return c, fmt.Errorf("no city %s (paitor city list shows them)", id)
	}
	return c, err
}

// operatorAudit records an operator's action in the city's audit log.
func operatorAudit(ctx context.Context, s content.CityStore, cityID, action, object, detail string) error {
	err := s.AddAudit(ctx, content.AuditEntry{CityID: cityID, Action: action, Object: object, Detail: detail, At: time.Now()})
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

func runCityCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("city create", flag.ContinueOnError)
	name := fs.String("name", "", "the city's name, e.g. เทศบาลนครขอนแก่น (required)")
	var provinces, districts repeatedFlag
	fs.Var(&provinces, "province", "a province it serves: ISO code or name (at least one; repeat for more)")
	fs.Var(&districts, "district", `limit the area to a district: "PROVINCE/DISTRICT" (repeatable)`)
	approval := fs.Bool("approval", false, "announcements need an approver before they are sent")
	if err := parseFlags(fs, args, stdout, cityAbout); err != nil || helped(args) {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; quote a name with spaces)", fs.Arg(0))
	}
	city := content.City{Name: strings.TrimSpace(*name), RequiresApproval: *approval}
	if city.Name == "" {
		return errors.New("--name is required")
	}
	if len(provinces) == 0 {
		return errors.New("give at least one --province")
	}
	var err error
	if city.Provinces, err = provinceCodes(provinces); err != nil {
		return err
	}
	for _, d := range districts {
		code, district, err := districtCode(d)
		if err != nil {
			return err
		}
		if !slices.Contains(city.Provinces, code) {
			return fmt.Errorf("--district %q is in %s, which is not one of the city's --province", d, code)
		}
		city.Districts = append(city.Districts, district)
	}

	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	city, err = s.CreateCity(ctx, city)
	if err != nil {
		return err
	}
	detail := "provinces=" + strings.Join(city.Provinces, ",")
	if len(city.Districts) > 0 {
		detail += " districts=" + strings.Join(city.Districts, ",")
	}
	if city.RequiresApproval {
		detail += " approval"
	}
	if err := operatorAudit(ctx, s, city.ID, "city.create", city.ID, detail); err != nil {
		return err
	}
	fmt.Fprintln(stdout, city.ID)
	fmt.Fprintf(stderr, "created city %q (%s); next: paitor token create --city %s --role editor\n", city.Name, detail, city.ID)
	return nil
}

func runCityList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("city list", flag.ContinueOnError)
	if err := parseFlags(fs, args, stdout, cityAbout); err != nil || helped(args) {
		return err
	}
	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	cities, err := s.Cities(ctx)
	if err != nil {
		return err
	}
	if len(cities) == 0 {
		fmt.Fprintln(stdout, "no cities yet: paitor city create --name NAME --province P")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tPROVINCES\tDISTRICTS\tAPPROVAL\tCREATED (UTC)")
	for _, c := range cities {
		approval := "no"
		if c.RequiresApproval {
			approval = "required"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, strings.Join(c.Provinces, ","), dashIfEmpty(strings.Join(c.Districts, ",")),
			approval, c.CreatedAt.Format(time.DateTime))
	}
	return w.Flush()
}

func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	cityFlag := fs.String("city", "", "the city's ID (required; paitor city list shows them)")
	role := fs.String("role", "", "editor or approver (required)")
	label := fs.String("label", "", "who the token is for, e.g. a team (not a person's name)")
	if err := parseFlags(fs, args, stdout, tokenAbout); err != nil || helped(args) {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	id, err := parseCityFlag(*cityFlag)
	if err != nil {
		return err
	}
	if *role != content.RoleEditor && *role != content.RoleApprover {
		return fmt.Errorf("--role must be %s or %s", content.RoleEditor, content.RoleApprover)
	}
	secret, err := citytoken.NewSecret()
	if err != nil {
		return err
	}

	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	city, err := lookupCity(ctx, s, id)
	if err != nil {
		return err
	}
	token := content.Token{ID: uuid.NewString(), CityID: city.ID, Role: *role, Label: strings.TrimSpace(*label), Hash: citytoken.HashSecret(secret)}
	if err := s.CreateToken(ctx, token); err != nil {
		return err
	}
	if err := operatorAudit(ctx, s, city.ID, "token.create", token.ID, "role="+token.Role); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Token %s (%s) for %s.\n", token.ID, token.Role, city.Name)
	fmt.Fprintf(stdout, "Secret, shown this once only (just its hash is stored, so it cannot be shown again):\n\n  %s\n\n", secret)
	fmt.Fprintln(stdout, "Hand it over privately. If it is lost or leaked: paitor token revoke "+token.ID)
	return nil
}

func runTokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token list", flag.ContinueOnError)
	cityFlag := fs.String("city", "", "the city's ID (required; paitor city list shows them)")
	if err := parseFlags(fs, args, stdout, tokenAbout); err != nil || helped(args) {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	id, err := parseCityFlag(*cityFlag)
	if err != nil {
		return err
	}
	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	city, err := lookupCity(ctx, s, id)
	if err != nil {
		return err
	}
	tokens, err := s.Tokens(ctx, city.ID)
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		fmt.Fprintf(stdout, "%s has no tokens yet: paitor token create --city %s --role editor\n", city.Name, city.ID)
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tROLE\tLABEL\tCREATED (UTC)\tREVOKED (UTC)")
	for _, t := range tokens {
		revoked := "-"
		if !t.RevokedAt.IsZero() {
			revoked = t.RevokedAt.Format(time.DateTime)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, dashIfEmpty(t.Label), t.CreatedAt.Format(time.DateTime), revoked)
	}
	return w.Flush()
}

func runTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	if err := parseFlags(fs, args, stdout, tokenAbout); err != nil || helped(args) {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("give one token ID (paitor token list --city CITY_ID shows them)")
	}
	uid, err := uuid.Parse(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("%q is not a token ID (paitor token list --city CITY_ID shows them)", fs.Arg(0))
	}
	id := uid.String()

	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	// Tokens are found through their city: there are few of either.
	cities, err := s.Cities(ctx)
	if err != nil {
		return err
	}
	for _, c := range cities {
		tokens, err := s.Tokens(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, t := range tokens {
			if t.ID != id {
				continue
			}
			if !t.RevokedAt.IsZero() {
				fmt.Fprintf(stdout, "token %s of %s was already revoked at %s\n", t.ID, c.Name, t.RevokedAt.Format(time.DateTime))
				return nil
			}
			if err := s.RevokeToken(ctx, t.ID, time.Now()); err != nil {
				return err
			}
			if err := operatorAudit(ctx, s, c.ID, "token.revoke", t.ID, "role="+t.Role); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "revoked token %s (%s%s) of %s: its secret no longer works\n", t.ID, t.Role, tokenLabelSuffix(t.Label), c.Name)
			return nil
		}
	}
	return fmt.Errorf("no token %s (paitor token list --city CITY_ID shows them)", id)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func tokenLabelSuffix(label string) string {
	if label == "" {
		return ""
	}
	return ", " + label
}
