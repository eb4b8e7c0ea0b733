package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// errUsage means the usage was printed; exit 2 without another message.
var errUsage = errors.New("usage")

// parseFlags parses a subcommand's flags; -h prints its help and errUsage.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, about string) error {
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: paitor %s [flags]\n\n%s\n", fs.Name(), about)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	return nil
}

func helped(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}
