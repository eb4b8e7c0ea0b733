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

	"github.com/paitor/paitor/content"
	"github.com/paitor/paitor/content/citytoken"
)

// Operator commands for the organisations whose counsellors answer young
// people, and for the counsellors themselves. PostgreSQL only, like cities:
// with the embedded default, `make run` makes a demo counsellor by itself.

const orgAbout = `Creates and lists organisations: the bodies whose counsellors answer young
people who ask for a person (a provincial office of the Department of Children
and Youth, a school's guidance unit, an NGO, a learning city, the national pool).

  paitor org create --name NAME --kind dcy|school|ngo|city|national [--city CITY_ID]
  paitor org list

create prints the organisation's ID. Needs DATABASE_URL.`

const counsellorAbout = `Creates, lists and disables counsellors.

  paitor counsellor create --org ORG_ID --name NAME [--role counsellor|supervisor]
                           [--province P ...] [--district "P/อำเภอ" ...] [--national]
  paitor counsellor list [--org ORG_ID]
  paitor counsellor disable COUNSELLOR_ID

A counsellor covers the districts given, else the whole provinces given, or,
with --national, everyone no district or province counsellor covers. Office
hours start as Monday to Friday 08:30–16:30; each counsellor changes theirs in
the console. create prints the counsellor's sign-in secret once (only its hash
is kept): they paste it at PUBLIC_URL/console/signin. A disabled counsellor
cannot sign in and gets no tickets. Needs DATABASE_URL.`

func runOrg(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runCityVerbs(ctx, "org", orgAbout, []cityVerb{{"create", runOrgCreate}, {"list", runOrgList}}, args, stdout, stderr)
}

func runCounsellor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runCityVerbs(ctx, "counsellor", counsellorAbout, []cityVerb{
		{"create", runCounsellorCreate}, {"list", runCounsellorList}, {"disable", runCounsellorDisable},
	}, args, stdout, stderr)
}

func runOrgCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("org create", flag.ContinueOnError)
	name := fs.String("name", "", "the organisation's name (required)")
	kind := fs.String("kind", "", "dcy, school, ngo, city or national (required)")
	city := fs.String("city", "", "for --kind city: the city's ID (paitor city list)")
	if err := parseFlags(fs, args, stdout, orgAbout); err != nil || helped(args) {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; quote a name with spaces)", fs.Arg(0))
	}
	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	o, err := s.CreateOrganisation(ctx, content.Organisation{Name: strings.TrimSpace(*name), Kind: *kind, CityID: *city})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, o.ID)
	return nil
}

func runOrgList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	orgs, err := s.Organisations(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tNAME")
	for _, o := range orgs {
		fmt.Fprintf(w, "%s\t%s\t%s\n", o.ID, o.Kind, o.Name)
	}
	return w.Flush()
}

func runCounsellorCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("counsellor create", flag.ContinueOnError)
	org := fs.String("org", "", "the organisation's ID (paitor org list) (required)")
	name := fs.String("name", "", "the counsellor's name as young people will read it (required)")
	role := fs.String("role", content.CounsellorRole, "counsellor or supervisor (supervisors also get what nobody answered in time)")
	national := fs.Bool("national", false, "in the national pool: everyone no district or province counsellor covers")
	var provinces, districts repeatedFlag
	fs.Var(&provinces, "province", "a province covered: ISO code or name (repeatable)")
	fs.Var(&districts, "district", `only this district of a province: "PROVINCE/DISTRICT" (repeatable)`)
	if err := parseFlags(fs, args, stdout, counsellorAbout); err != nil || helped(args) {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; quote a name with spaces)", fs.Arg(0))
	}
	c := content.Counsellor{OrgID: *org, Name: strings.TrimSpace(*name), Role: *role, National: *national, Hours: content.DefaultOfficeHours}
	var err error
	if c.Provinces, err = provinceCodes(provinces); err != nil {
		return err
	}
	for _, d := range districts {
		code, district, err := districtCode(d)
		if err != nil {
			return err
		}
		c.Districts = append(c.Districts, district)
		if !slices.Contains(c.Provinces, code) {
			c.Provinces = append(c.Provinces, code)
		}
	}
	if c.OrgID == "" || c.Name == "" {
		return errors.New("--org and --name are required")
	}
	secret, err := citytoken.NewSecret()
	if err != nil {
		return err
	}
	c.TokenHash = citytoken.HashSecret(secret)
	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	created, err := s.CreateCounsellor(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "counsellor %s created\nsign-in secret (shown once; paste it at PUBLIC_URL/console/signin):\n%s\n", created.ID, secret)
	return nil
}

func runCounsellorList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("counsellor list", flag.ContinueOnError)
	org := fs.String("org", "", "only this organisation's counsellors")
	if err := parseFlags(fs, args, stdout, counsellorAbout); err != nil || helped(args) {
		return err
	}
	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	cs, err := s.Counsellors(ctx, *org)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tORG\tROLE\tNAME\tCOVERS\tLINE\tSTATE")
	for _, c := range cs {
		covers := strings.Join(append(slices.Clone(c.Districts), c.Provinces...), ",")
		if c.National {
			covers = "national"
		}
		line, state := "-", "active"
		if c.LineUserID != "" {
			line = "linked"
		}
		if !c.Active() {
			state = "disabled " + c.DisabledAt.Format(time.DateOnly)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.OrgID, c.Role, c.Name, covers, line, state)
	}
	return w.Flush()
}

func runCounsellorDisable(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || helped(args) {
		fmt.Fprintln(stderr, "usage: paitor counsellor disable COUNSELLOR_ID")
		return errUsage
	}
	s, err := openCityStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Counsellor(ctx, args[0])
	if err != nil {
		return err
	}
	if !c.Active() {
		fmt.Fprintf(stdout, "counsellor %s was already disabled\n", c.ID)
		return nil
	}
	c.DisabledAt = time.Now()
	if err := s.UpdateCounsellor(ctx, c); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "counsellor %s disabled: they cannot sign in and get no tickets\n", c.ID)
	return nil
}
