package main

import (
	"errors"
	"log/slog"
)

func runServe(args []string, logger *slog.Logger) error {
	return errors.New("serve: not wired yet")
}
