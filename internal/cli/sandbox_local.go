package cli

import (
	"context"
	"errors"
)

// startLocalSandbox starts the in-process sandbox for --sandbox.
func (g *GlobalOptions) startLocalSandbox(ctx context.Context) (*Session, error) {
	return nil, errors.New("the in-process sandbox is not built yet")
}
