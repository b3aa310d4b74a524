package daemon

import (
	"flag"
	"fmt"
	"path/filepath"
)

// PathVar defines a flag for a file path, for use in [Program.Flags]. The
// path is made absolute against the working directory as the flag is
// parsed, in the command the operator ran, so that it names the same file
// in the daemon, which runs in "/". The default value is resolved the same
// way.
func PathVar(fs *flag.FlagSet, p *string, name, value, usage string) {
	v := (*pathValue)(p)
	*p = ""
	if err := v.Set(value); err != nil {
		*p = value
	}
	fs.Var(v, name, usage)
}

// pathValue is a flag.Value that holds an absolute path ("" stays "").
type pathValue string

func (v *pathValue) Set(s string) error {
	if s == "" {
		*v = ""
		return nil
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", s, err)
	}
	*v = pathValue(abs)
	return nil
}

func (v *pathValue) String() string {
	if v == nil {
		return ""
	}
	return string(*v)
}

// serviceFlags adds the service's flags (Program.Flags) to fs and returns
// the set they were defined in, or nil without Program.Flags. A service
// flag with the name of one of the daemon's own is an error.
func (p *Program) serviceFlags(fs *flag.FlagSet) (*flag.FlagSet, error) {
	if p.Flags == nil {
		return nil, nil
	}
	svc := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	p.Flags(svc)
	var err error
	svc.VisitAll(func(f *flag.Flag) {
		if fs.Lookup(f.Name) != nil {
			err = fmt.Errorf("Program.Flags defines --%s, which the daemon itself uses (rename the service's flag)", f.Name)
			return
		}
		fs.Var(f.Value, f.Name, f.Usage)
	})
	return svc, err
}

// passOn returns the service's flags that were set in fs, as arguments
// that give the same values when parsed again: "--name=value", in
// lexical order. Every re-executed process gets them, so the service sees
// the same values in run, start and process-1 mode.
func passOn(fs, svc *flag.FlagSet) []string {
	var args []string
	if svc == nil {
		return nil
	}
	fs.Visit(func(f *flag.Flag) {
		if svc.Lookup(f.Name) != nil {
			args = append(args, "--"+f.Name+"="+f.Value.String())
		}
	})
	return args
}
