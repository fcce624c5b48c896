package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gradgen/gradgen/cmd/gradgen/internal/udiff"
)

// diffContext is the number of unchanged lines shown around each change
// of a stale output, as diff -u shows them.
const diffContext = 3

// check compares each output with the file on disk: it prints a missing
// file's name and a stale file's unified diff from the file to the
// output, then, when any was missing or stale, the command that
// regenerates them; it returns the exit code.
//
// A file that differs and was not generated (hand-written code at the
// output's path) is named as such instead of diffed, and the command then
// carries -force, which overwriting it takes.
func check(cfg config, outs []*output, stdout io.Writer) int {
	code := exitOK
	force := false
	for _, o := range outs {
		have, err := os.ReadFile(o.path)
		switch {
		case err != nil:
			fmt.Fprintf(stdout, "%s: missing (%v)\n", o.path, errors.Unwrap(err))
			code = exitStale
		case len(have) > 0 && !bytes.Equal(have, o.data) && notGradgens(have) != "":
			fmt.Fprintf(stdout, "%s: exists and %s\n", o.path, notGradgens(have))
			code, force = exitStale, true
		default:
			if diff := udiff.Unified(o.path+" (checked in)", o.path+" (gradgen output)", have, o.data, diffContext); diff != "" {
				fmt.Fprint(stdout, diff)
				code = exitStale
			}
		}
	}
	if code == exitStale {
		fmt.Fprintf(stdout, "regenerate with: %s\n", regenerateCommand(cfg, force))
		if force {
			fmt.Fprintln(stdout, "(-force replaces the files above that gradgen did not write: move them aside first to keep them)")
		}
	}
	return code
}

// regenerateCommand returns the command line that writes the outputs that
// -check compared: -force when one of them replaces a file gradgen did not
// generate, the flags that decide them, as parsed, then the specs,
// each quoted for a POSIX shell where it needs it.
func regenerateCommand(cfg config, force bool) string {
	args := []string{"gradgen"}
	if force {
		args = append(args, "-force")
	}
	if cfg.out != "" {
		args = append(args, "-o", cfg.out)
	}
	if cfg.pkg != "" {
		args = append(args, "-pkg", cfg.pkg)
	}
	if cfg.test {
		args = append(args, "-test")
	}
	if cfg.standalone {
		args = append(args, "-standalone")
	}
	for _, spec := range cfg.specs {
		if strings.HasPrefix(spec, "-") {
			args = append(args, "--") // a spec named like a flag follows the end of the flags
			break
		}
	}
	args = append(args, cfg.specs...)
	for i, arg := range args {
		args[i] = shellQuote(arg)
	}
	return strings.Join(args, " ")
}

// shellQuote returns arg as a POSIX shell reads it back: as it is when it
// holds only characters no shell treats specially, else in single quotes.
func shellQuote(arg string) string {
	plain := arg != "" && strings.IndexFunc(arg, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./+=:,@%", r))
	}) < 0
	if plain {
		return arg
	}
	return "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
}
