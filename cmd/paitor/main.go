// Command paitor is the Pai Tor service and its operator commands. With no
// arguments it serves; `paitor -h` lists the subcommands. It only reads the
// environment and wires the parts; the work happens in bot, guidance and
// content.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name, usage string
	run         func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "run the webhook service (the default; without LINE_CHANNEL_TOKEN it starts the local chat simulator)", runServe},
	{"migrate", "apply the PostgreSQL schema migrations to DATABASE_URL and exit", runMigrate},
	{"import", "load courses, openings or occupations from a CSV/JSON file into DATABASE_URL (--sample: the built-in pack; --dry-run: only check)", runImport},
	{"match", "rank the catalog for one profile (JSON on stdin or -f; -q search, -kind, -limit, -now) and print results, pairs, gaps and exclusions as JSON", runMatch},
	{"understand", "place phrases (one a line, or CSV phrase,expected_intent; -f FILE or stdin) as Pai Tor would and print the layer and intent of each, with totals (uses OPENAI_API_KEY's model when set)", runUnderstand},
	{"export-user", "print everything stored about one LINE user as JSON (for a data-subject request)", runExportUser},
	{"city", "create and list cities, the tenants that publish festivals (city create --name NAME --province P ...; city list); needs DATABASE_URL", runCity},
	{"token", "create, list and revoke a city's API tokens (token create --city ID --role editor|approver; token list --city ID; token revoke TOKEN_ID); needs DATABASE_URL", runToken},
	{"org", "create and list organisations whose counsellors answer young people (org create --name N --kind dcy|school|ngo|city|national; org list); needs DATABASE_URL", runOrg},
	{"counsellor", "create, list and disable counsellors (counsellor create --org ID --name N --province P ...; prints the sign-in secret once); needs DATABASE_URL", runCounsellor},
	{"richmenu", "install the youth and parent rich menus on the LINE channel (-dry-run prints them)", runRichMenu},
	{"version", "print the version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "-h" || name == "--help" || name == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == name {
			if err := c.run(ctx, args, stdout, stderr); err != nil {
				if err == errUsage {
					return 2
				}
				if code, ok := exitCode(err); ok {
					return code // the command has already printed why
				}
				// One line, whatever the error's own layout (pgx spreads its over several).
				fmt.Fprintf(stderr, "paitor %s: %s\n", name, strings.Join(strings.Fields(err.Error()), " "))
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "paitor: unknown command %q\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ไปต่อ Pai Tor: a LINE guidance assistant for young people in Thailand.")
	fmt.Fprintln(w, "\nUsage: paitor [command] [-h]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nConfiguration comes from environment variables; see README.md.")
}
