// Command orgstrap sets up and maintains a multi-account AWS layout.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/orgstrap/orgstrap/internal/cli"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	streams := cli.DefaultStreams()
	root := cli.NewRootCommand(streams)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}

	code := 1
	var exit *cli.ExitError
	if errors.As(err, &exit) {
		code = exit.Code
		if exit.Err == nil {
			return code
		}
	}
	fmt.Fprintf(streams.Err, "Error: %v\n", err)
	if hint := cli.Hint(err); hint != "" {
		fmt.Fprintf(streams.Err, "Hint: %s\n", hint)
	}
	return code
}
