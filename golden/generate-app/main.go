// Command app is a user's service built on a generated daemon package.
package main

//go:generate daemongen generate

import (
	"context"
	"log"
	"os"

	"example.com/app/internal/daemon"
)

type service struct{}

func (service) Run(ctx context.Context) error {
	log.Print("app running")
	<-ctx.Done()
	return nil
}

func main() {
	os.Exit(daemon.Main(daemon.Program{Name: "app", Service: service{}}, os.Args[1:]))
}
