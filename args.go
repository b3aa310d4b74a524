package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// completeFlag ends a command line that asks cli for completions (see
// completion.go) instead of running a command.
const completeFlag = "--generate-bash-completion"

// cliArgs returns the command line args (the program name first) as cli v2
// should run it, nil if nothing is to run, or a usage error. It does what
// cli v2 cannot:
//
//   - A command's flags may follow its arguments ("daemongen new mysvc
//     --module example.com/mysvc"): cli, like package flag, stops at the
//     first argument, so the flags are moved in front of the arguments. "--"
//     ends the flags. A flag's value never looks like a flag: "--dir
//     --dry-run" lacks a value, "--dir=--dry-run" has one.
//   - Sorting the flags checks them, so an unknown flag or a missing value is
//     reported as typed (package flag would say -dir for --dir).
//   - -h or --help anywhere among a command's arguments, and "help COMMAND
//     [SUBCOMMAND]", show that command's help alone.
//   - A completion request is left as it is, so that cli answers it, but one
//     holding "--" is not run at all: cli would run the command on it.
func cliArgs(app *cli.App, args []string) ([]string, error) {
	if len(args) > 0 && args[len(args)-1] == completeFlag {
		if slices.Contains(args, "--") {
			return nil, nil
		}
		return args, nil
	}
	if len(args) < 2 {
		return args, nil
	}
	app.Setup() // adds the help command and flags
	rest, help := args[1:], false
	if (rest[0] == "help" || rest[0] == "h") && len(rest) > 1 {
		rest, help = rest[1:], true
	}
	cmd, n := findCommand(app, rest)
	if first := rest[0]; cmd == nil {
		switch {
		case isFlag(first) && !isHelp(first) && (help || first != "--" && lookupFlag(app.Flags, first) == nil):
			return nil, &usageError{err: fmt.Errorf("flag provided but not defined: %s", first)}
		case help && !isHelp(first):
			return nil, &usageError{err: fmt.Errorf("no help topic for '%s'", first)}
		}
		return append(args[:1:1], rest...), nil // cli shows its help or version, or runRoot refuses the command
	}
	name := strings.Join(rest[:n], " ")
	prefix := append(args[:1:1], rest[:n]...)
	tail := rest[n:]
	flagsEnd := len(tail)
	if i := slices.Index(tail, "--"); i >= 0 {
		flagsEnd = i
	}
	if help || slices.ContainsFunc(tail[:flagsEnd], isHelp) {
		return append(prefix, "--help"), nil
	}
	var flags, operands []string
	for i := 0; i < len(tail); i++ {
		arg := tail[i]
		if arg == "--" {
			operands = append(operands, tail[i+1:]...)
			break
		}
		if !isFlag(arg) {
			operands = append(operands, arg)
			continue
		}
		typed, _, hasValue := strings.Cut(arg, "=")
		f := lookupFlag(cmd.Flags, typed)
		if f == nil {
			return nil, &usageError{cmd: name, err: fmt.Errorf("flag provided but not defined: %s", typed)}
		}
		flags = append(flags, arg)
		if v, ok := f.(cli.DocGenerationFlag); hasValue || !ok || !v.TakesValue() {
			continue
		}
		if i+1 == len(tail) || isFlag(tail[i+1]) {
			return nil, &usageError{cmd: name, err: fmt.Errorf("flag needs an argument: %s", typed)}
		}
		i++
		flags = append(flags, tail[i])
	}
	return append(append(append(prefix, flags...), "--"), operands...), nil
}

// findCommand returns the command that the leading words of names name, a
// subcommand if they go on to name one, and how many words it took; or nil
// and 0.
func findCommand(app *cli.App, names []string) (*cli.Command, int) {
	var cmd *cli.Command
	n := 0
	for ; n < len(names); n++ {
		next := app.Command(names[n])
		if cmd != nil {
			next = cmd.Command(names[n])
		}
		if next == nil {
			break
		}
		cmd = next
	}
	return cmd, n
}

// lookupFlag returns the flag, of flags or cli's help flag, that arg (such
// as "--dir" or "-dir") names, or nil.
func lookupFlag(flags []cli.Flag, arg string) cli.Flag {
	name := strings.TrimLeft(arg, "-")
	for _, f := range slices.Concat(flags, []cli.Flag{cli.HelpFlag}) {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// isFlag reports whether arg is a flag: it starts with '-' and is not "-",
// which names standard input or output.
func isFlag(arg string) bool { return len(arg) > 1 && arg[0] == '-' }

// isHelp reports whether arg asks for help: -h, -help or --help.
func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }
