package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// isInteractive reports whether r is a terminal, so a person can type a reply.
func isInteractive(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// confirm writes question to w and reads the reply from r. Only "yes"
// confirms. A non-interactive r is an error, so scripts must pass --yes.
func confirm(r io.Reader, w io.Writer, question string) (bool, error) {
	if !isInteractive(r) {
		return false, WithHint(errors.New("cannot ask for confirmation: standard input is not a terminal"),
			"pass --yes to apply without asking")
	}
	fmt.Fprintf(w, "%s Only 'yes' is accepted: ", question)
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("reading the reply: %w", err)
	}
	return strings.TrimSpace(line) == "yes", nil
}
