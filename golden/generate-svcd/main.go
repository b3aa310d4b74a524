// Command tool is a user's service built on a generated daemon package.
package main

//go:generate daemongen generate

import (
	"context"
	"log"
	"os"

	"example.com/tool/v2/pkg/svcd"
)

type service struct{}

func (service) Run(ctx context.Context) error {
	log.Print("tool running")
	<-ctx.Done()
	return nil
}

func main() {
	os.Exit(svcd.Main(svcd.Program{Name: "tool", Service: service{}}, os.Args[1:]))
}
