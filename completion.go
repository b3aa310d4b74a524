package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionCommand prints a shell's completion script. The bash and zsh
// scripts ask daemongen itself for the words: cli answers a command line
// that ends in --generate-bash-completion with the commands, or with the
// flags when the word being completed starts with '-'.
func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		UsageText: "daemongen completion bash|zsh|fish",
		Description: "Load the script in the running shell, or save it where the shell looks for\n" +
			"completions.\n\n" +
			"Example:\n\n" +
			"   eval \"$(daemongen completion bash)\"    # or in ~/.bashrc\n" +
			"   eval \"$(daemongen completion zsh)\"     # after compinit, in ~/.zshrc\n" +
			"   daemongen completion fish > ~/.config/fish/completions/daemongen.fish",
		Action: runCompletion,
		BashComplete: func(c *cli.Context) {
			if c.NArg() == 0 {
				fmt.Fprintln(c.App.Writer, "bash\nzsh\nfish")
			}
		},
	}
}

// runCompletion prints the completion script for the shell named by its
// one argument.
func runCompletion(c *cli.Context) error {
	if c.NArg() != 1 {
		return badUsage(c, "want one argument: bash, zsh or fish")
	}
	var script string
	switch shell := c.Args().First(); shell {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshCompletion
	case "fish":
		s, err := c.App.ToFishCompletion()
		if err != nil {
			return fmt.Errorf("completion fish: %w", err)
		}
		// cli's script has no words for arguments, keeps the backquotes
		// that name a flag's value in its usage, and offers templates'
		// subcommands after one of them too, with file names.
		s = strings.ReplaceAll(strings.TrimLeft(s, "\n"), "`", "")
		script = strings.ReplaceAll(s, "-n '__fish_seen_subcommand_from templates' -a", "-n '"+templatesOnly+"' -a") +
			"complete -c daemongen -n '__fish_daemongen_no_subcommand' -f\n" +
			"complete -c daemongen -n '" + templatesOnly + "' -f\n" +
			"complete -c daemongen -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'\n"
	default:
		return badUsage(c, "unknown shell %q: use bash, zsh or fish", shell)
	}
	_, err := io.WriteString(c.App.Writer, script)
	return err
}

// templatesOnly is fish's condition for a command line whose last command
// is templates, where only its subcommands complete.
const templatesOnly = "__fish_seen_subcommand_from templates; and not __fish_seen_subcommand_from list export"

// bashCompletion completes daemongen's commands and flags in bash.
var bashCompletion = strings.TrimLeft(`
# bash completion for daemongen: eval "$(daemongen completion bash)"
_daemongen() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	local words=("${COMP_WORDS[@]:0:COMP_CWORD}")
	# A bare "--" would end the flags; "-" asks for all of them.
	if [[ $cur == -- ]]; then words+=(-); elif [[ $cur == -* ]]; then words+=("$cur"); fi
	COMPREPLY=($(compgen -W "$("${words[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
}
complete -o default -F _daemongen daemongen
`, "\n")

// zshCompletion completes daemongen's commands and flags in zsh.
var zshCompletion = strings.TrimLeft(`
#compdef daemongen
# zsh completion for daemongen: eval "$(daemongen completion zsh)" after compinit
_daemongen() {
	local cur=${words[CURRENT]}
	local -a args opts
	args=("${(@)words[1,CURRENT-1]}")
	# A bare "--" would end the flags; "-" asks for all of them.
	if [[ $cur == -- ]]; then args+=(-); elif [[ $cur == -* ]]; then args+=("$cur"); fi
	opts=("${(@f)$("${args[@]}" --generate-bash-completion 2>/dev/null)}")
	if [[ -n ${opts[1]} ]]; then
		_describe 'daemongen' opts
	else
		_files
	fi
}
compdef _daemongen daemongen
`, "\n")
