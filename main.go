// Daemongen generates a Go project whose binary is a correct Unix daemon:
// it starts, stops, reports its status and reloads the way daemon(7), LSB
// init scripts and systemd expect. It also keeps the daemon package of an
// existing module current from the //go:generate line a release writes:
//
//	//go:generate go run github.com/daemongen/daemongen@v1.2.3 generate
//
// Usage:
//
//	daemongen COMMAND [ARGS]
//
// The manual is daemongen's help, written once, in newApp's cli.App:
// "daemongen help" lists the commands with examples and the exit statuses,
// and "daemongen help COMMAND" gives a command's synopsis, flags and rules.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/daemongen/daemongen/generator"
)

func main() {
	// SIGINT and SIGTERM cancel the context: a write in progress is undone,
	// or, once its renames have begun, finished, and daemongen exits 1.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		cancel(fmt.Errorf("interrupted by %v", sig))
	}()
	os.Exit(run(testContext(ctx), os.Args, os.Stdout, os.Stderr))
}

// testContext returns the context daemongen runs with; daemongen's tests
// replace it to interrupt a run at a chosen step.
var testContext = func(ctx context.Context) context.Context { return ctx }

// newApp returns daemongen's command line, writing to stdout and stderr.
// Its help texts are daemongen's manual.
func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "daemongen",
		Usage:     "generate a Go project whose binary is a correct Unix daemon",
		UsageText: "daemongen COMMAND [ARGS]",
		Description: "The binary starts, stops, reports its status and reloads the way daemon(7),\n" +
			"LSB init scripts and systemd expect. Flags may come before or after a command's\n" +
			"arguments; \"daemongen help COMMAND\" shows a command's.\n\n" +
			"Examples:\n\n" +
			"   daemongen new mysvc --module example.com/mysvc\n" +
			"   cd mysvc && go build -o mysvc && ./mysvc start\n\n" +
			"   # in an existing module, write internal/daemon and its go:generate line:\n" +
			"   go run github.com/daemongen/daemongen@v1.2.3 generate\n" +
			"   go generate ./... && daemongen generate --check\n\n" +
			"Errors go to standard error, prefixed \"daemongen: \". Exit status: 0 success;\n" +
			"2 usage error (a missing or extra argument, an unknown command or flag, a flag\n" +
			"without its value, an invalid NAME, module path or package name); 1 any other\n" +
			"failure, --check finding files out of date and an interrupt included.",
		Version:        version(),
		Writer:         stdout,
		ErrWriter:      stderr,
		Action:         runRoot,
		ExitErrHandler: func(*cli.Context, error) {}, // only main exits
		Commands: []*cli.Command{
			{
				Name:      "new",
				Usage:     "write a new daemon project into DIR (default NAME)",
				UsageText: "daemongen new NAME [--module PATH] [--dir DIR] [--templates DIR] [--force [--replace FILE]] [--dry-run] [--docker] [--socket ADDR]",
				Description: "NAME is the binary's name: lowercase letters, digits and '-', starting with a\n" +
					"letter, each '-' between two letters or digits, at most 32 characters, and not\n" +
					"reserved (go, all, std, cmd, tool, vendor, main, or a Windows device name such\n" +
					"as con). The module path must be one the go command builds, from Go " + generator.GoVersion + "\n" +
					"(the project's go line) to Go 1.26: a first element without a dot may not be a\n" +
					"standard library directory (\"new log\" is refused, \"new log --module\n" +
					"example.com/log\" is not; a later Go may add one) nor one the go command\n" +
					"reserves: go, toolchain, all, std, cmd, tool, main, vendor. What is refused is\n" +
					"refused before anything is written.\n\n" +
					"The project has its own go.mod, a main package, the example service\n" +
					"(service.go; with --socket an HTTP server, httpservice.go), the daemon package\n" +
					"in internal/daemon, in init/ the service files \"NAME install\" registers with\n" +
					"the machine's init system, a logrotate configuration, a Makefile, a CI\n" +
					"workflow and a README that documents it. A released daemongen pins itself in\n" +
					"main.go's go:generate line, which runs \"daemongen update\" at that version.\n" +
					"Build it with \"go build -o NAME\": plain \"go build\" names the binary after\n" +
					"the module path.\n\n" +
					"Inside an existing module the project is its own, nested module, whose path\n" +
					"defaults to that module's path joined with DIR (at a module's root, that\n" +
					"module's path and go.mod). If the go command would use a go.work there, new\n" +
					"adds DIR to its use directives and raises its go line if lower, as \"go work\n" +
					"use\" would, and --dry-run says so. A go.work new cannot write, or one that\n" +
					"already uses another module of the same path, is refused.\n\n" +
					"A non-empty DIR is refused unless --force is given. --force replaces only the\n" +
					"files daemongen writes and leaves every other file alone; go.mod and the\n" +
					"example service's files are yours once they exist, and are kept unless\n" +
					"--replace names them. New writes all of its files or none, never through a\n" +
					"symlink; SIGINT or SIGTERM leaves DIR as it was. It prints what it wrote,\n" +
					"replaced, kept and skipped, and the next commands.\n\n" +
					"Example:\n\n" +
					"   daemongen new mysvc --module example.com/mysvc\n" +
					"   daemongen new my-svc --dir /tmp/my-svc --dry-run\n" +
					"   daemongen new mysvc --dir services/mysvc   # inside a repository\n" +
					"   daemongen new mysvc --force --replace service.go",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "module", Usage: "module path `PATH` of the new project, such as example.com/mysvc (default NAME, or the enclosing module's path joined with DIR)"},
					&cli.StringFlag{Name: "dir", TakesFile: true, Usage: "directory `DIR` to write the project into (default NAME)"},
					templatesFlag(),
					&cli.BoolFlag{Name: "force", Usage: "write into a non-empty DIR, replacing the files daemongen writes except go.mod and the example service's files"},
					&cli.StringSliceFlag{Name: "replace", TakesFile: true, Usage: "with --force, also replace `FILE`, one of " + strings.Join(generator.UserFiles, ", ") + " (repeat or separate with commas)"},
					&cli.BoolFlag{Name: "dry-run", Usage: "check as new would, refusing what it refuses, print the mode, size and path of each file it would write, and write nothing"},
					&cli.BoolFlag{Name: "docker", Usage: "also write a Dockerfile whose entrypoint is NAME run"},
					&cli.StringFlag{Name: "socket", Usage: "make the example an HTTP server on `ADDR`, started by NAME.socket under systemd: IP:PORT, or :PORT for every address, as both net.Listen and systemd's ListenStream= read it (systemd resolves no host names)"},
				},
				Action: runNew,
			},
			{
				Name:      "generate",
				Usage:     "write or update only the daemon package of an existing module",
				UsageText: "daemongen generate [--dir DIR] [--pkg NAME] [--name NAME] [--init-files MAIN] [--templates DIR] [--check | --dry-run]",
				Description: "Renders the daemon package into DIR for the module holding DIR (the nearest\n" +
					"go.mod at or above it): its import path is the module path joined with DIR.\n" +
					"A module whose go line is older than " + generator.GoVersion + " is refused (raise it with:\n" +
					"go mod edit -go=" + generator.GoVersion + "); generate never edits go.mod.\n\n" +
					"Generate owns exactly the files whose first line is\n" +
					"   " + generator.Marker + "\n" +
					"It rewrites one only when its bytes or mode change, so unchanged files keep\n" +
					"their modification times, and removes such files of DIR that the templates no\n" +
					"longer produce. A file at a path it would write without that line is yours:\n" +
					"generate names it and writes nothing. A file that differs only in CRLF line\n" +
					"endings or a byte order mark is current. It prints \"wrote PATH\" and \"removed\n" +
					"PATH\" for each change, only \"wrote N files into DIR\" when it writes the\n" +
					"package afresh, and nothing when all is current.\n\n" +
					"Run by go generate, the working directory is the directive's, and when DIR is\n" +
					"that directory the package name defaults to $GOPACKAGE. Generate leaves a stamp,\n" +
					generator.StampFile + ", in DIR: a later bare generate does what this one did.\n" +
					"A released daemongen also writes DIR/generate.go, whose go:generate line runs\n" +
					"generate at its own version (with the module's Go: daemongen needs " + generator.GoVersion + ");\n" +
					"a newer release moves it. A development build cannot be pinned: it writes none.\n\n" +
					"For NAME install, --init-files MAIN (with --name) writes the service files of\n" +
					"each init system into MAIN/init, MAIN being your main package's directory; the\n" +
					"missing ones only, as they are yours to edit. The main package embeds them:\n" +
					"   //go:embed init\n   var initFiles embed.FS\n" +
					"   ... daemon.Program{Name: \"NAME\", Service: svc, InitFiles: initFiles}\n\n" +
					"Example:\n\n" +
					"   go run github.com/daemongen/daemongen@v1.2.3 generate   # once\n" +
					"   go generate ./...            # then: runs it again at v1.2.3\n" +
					"   daemongen generate --dir pkg/svcd --pkg svcd\n" +
					"   daemongen generate --check   # in CI",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "dir", TakesFile: true, Usage: "directory `DIR` of the daemon package (default internal/daemon under the module root)"},
					&cli.StringFlag{Name: "pkg", Usage: "package `NAME` of the daemon package (default daemon, or $GOPACKAGE when DIR is the working directory; not main)"},
					&cli.StringFlag{Name: "name", Usage: "`NAME` for _name_ and {{.Name}} in templates; only templates that use them need it, and the embedded ones do not"},
					&cli.StringFlag{Name: "init-files", TakesFile: true, Usage: "also write the service files install reads into `MAIN`/init (needs --name)"},
					templatesFlag(),
					&cli.BoolFlag{Name: "check", Usage: "write nothing; print each missing, stale or extra file with a unified diff and exit 1, or exit 0 if all are current"},
					&cli.BoolFlag{Name: "dry-run", Usage: "print \"would write PATH (missing|stale)\" and \"would remove PATH (extra)\", and write nothing"},
				},
				Action: runGenerate,
			},
			updateCommand(),
			{
				Name:      "templates",
				Usage:     "list or export the embedded templates, to adjust them",
				UsageText: "daemongen templates list | export DIR [--force]",
				Description: "The template tree has project/ (text/templates of a new project, each ending\n" +
					"in .tmpl) and daemon/ (the daemon package as ordinary Go of package daemon; a\n" +
					".tmpl file there is rendered as a template). With --templates DIR, new and\n" +
					"generate lay DIR over the embedded tree: a file that writes the same output\n" +
					"(daemon/serve.go or daemon/serve.go.tmpl) replaces the embedded one, and a new\n" +
					"path adds a file. DIR holds only project/ and daemon/. Daemongen puts the\n" +
					"generated-file line first in every Go file of the daemon package and names the\n" +
					"package after --pkg. Errors in a template name its file and line.\n\n" +
					"Example:\n\n" +
					"   daemongen templates export mytemplates\n" +
					"   daemongen generate --templates mytemplates",
				Action: runRoot,
				Subcommands: []*cli.Command{
					{
						Name:        "list",
						Usage:       "print the path of every embedded template",
						UsageText:   "daemongen templates list",
						Description: "Example:\n\n   daemongen templates list",
						Action:      runTemplatesList,
					},
					{
						Name:      "export",
						Usage:     "write the embedded templates into DIR",
						UsageText: "daemongen templates export DIR [--force]",
						Description: "DIR gets a go.mod of its own, so that a module around it leaves the\n" +
							"templates out of its go test ./... and go vet ./.... A non-empty DIR is\n" +
							"refused unless --force is given; --force overwrites only the template files,\n" +
							"and names each one it replaced that had been edited.\n\n" +
							"Example:\n\n   daemongen templates export mytemplates",
						Flags:  []cli.Flag{&cli.BoolFlag{Name: "force", Usage: "write into a non-empty DIR, overwriting only template files"}},
						Action: runTemplatesExport,
					},
				},
			},
			{
				Name:        "version",
				Usage:       "print daemongen's version",
				UsageText:   "daemongen version",
				Description: "Prints the module version, or (devel) for a build from a work tree.\n\nExample:\n\n   daemongen version",
				Action:      runVersion,
			},
			completionCommand(),
		},
		EnableBashCompletion: true, // answers --generate-bash-completion, for "daemongen completion"
	}
	app.OnUsageError = onUsageError
	var setUp func([]*cli.Command)
	setUp = func(cmds []*cli.Command) {
		for _, cmd := range cmds {
			cmd.OnUsageError, cmd.HideHelpCommand = onUsageError, true
			setUp(cmd.Subcommands)
		}
	}
	setUp(app.Commands)
	return app
}

// templatesFlag is the --templates flag of new and generate.
func templatesFlag() cli.Flag {
	return &cli.StringFlag{Name: "templates", TakesFile: true, Usage: "lay the template tree in `DIR` (project/..., daemon/...) over the embedded one"}
}

// run runs daemongen with args, the program name first, and returns its
// exit status. Cancelling ctx interrupts a write.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	args, err := cliArgs(app, args)
	if err == nil && args != nil {
		err = app.RunContext(ctx, args)
	}
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "daemongen: %v\n", err)
	var usage *usageError
	if errors.As(err, &usage) {
		if cmd, n := findCommand(app, strings.Fields(usage.cmd)); usage.help {
			cli.HelpPrinter(stderr, cli.AppHelpTemplate, app) // the commands, as go shows them
		} else if n > 0 {
			fmt.Fprintf(stderr, "usage: %s\nRun 'daemongen %s --help' for details.\n", cmd.UsageText, usage.cmd)
		} else {
			fmt.Fprintf(stderr, "usage: %s\nRun 'daemongen help' for the commands.\n", app.UsageText)
		}
	}
	var exit cli.ExitCoder
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	return 1
}

// A usageError is a mistake in the command line: daemongen prints it with
// the synopsis of the command it concerns and exits 2.
type usageError struct {
	cmd  string // the command's names after daemongen's, such as "templates export"; "" for daemongen
	err  error
	help bool // show daemongen's help, not only the synopsis
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }
func (e *usageError) ExitCode() int { return 2 }

// badUsage returns a usage error of the command c runs.
func badUsage(c *cli.Context, format string, a ...any) error {
	return &usageError{cmd: commandName(c), err: fmt.Errorf(format, a...)}
}

// commandName returns the names of the command c runs after daemongen's,
// such as "templates export", or "" for daemongen itself.
func commandName(c *cli.Context) string {
	name, _ := strings.CutPrefix(c.Command.HelpName, c.App.Name)
	return strings.TrimSpace(name)
}

// onUsageError turns cli's flag errors into usage errors.
func onUsageError(c *cli.Context, err error, _ bool) error {
	return &usageError{cmd: commandName(c), err: err}
}

// runRoot runs when no command is given or the command is unknown, for
// daemongen and for commands with subcommands.
func runRoot(c *cli.Context) error {
	prefix := commandName(c)
	if prefix != "" {
		prefix += " "
	}
	if c.Args().Present() {
		return badUsage(c, "unknown command %q", prefix+c.Args().First())
	}
	return &usageError{cmd: commandName(c), err: fmt.Errorf("missing %scommand", prefix), help: prefix == ""}
}

// runVersion prints daemongen's version.
func runVersion(c *cli.Context) error {
	if c.Args().Present() {
		return badUsage(c, "version takes no arguments")
	}
	fmt.Fprintf(c.App.Writer, "daemongen version %s\n", version()) // as --version prints it
	return nil
}

// version returns the version of daemongen's main module, or "(devel)".
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
