package main

import (
	"context"
	"log/slog"

	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/risk"
)

// newRiskEvaluator builds the risk stage from an optional JSON
// configuration file and the loaded rule files.
func newRiskEvaluator(configPath string, rules *dpi.Rules, logger *slog.Logger) (*risk.Evaluator, error) {
	cfg := risk.DefaultConfig()
	if configPath != "" {
		var err error
		if cfg, err = risk.LoadConfig(configPath); err != nil {
			return nil, err
		}
	}
	return risk.New(context.Background(), cfg, risk.Dependencies{Rules: rules, Ports: dpi.DefaultPorts, Logger: logger})
}
