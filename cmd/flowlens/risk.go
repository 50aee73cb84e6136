package main

import (
	"context"
	"log/slog"

	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/risk"
)

// loadJudgement loads the rule files in rulesDir, when given, into cfg and
// builds the risk stage on them, as analyze and serve both do.
func loadJudgement(rulesDir, riskConfig string, cfg *pipeline.Config, logger *slog.Logger) (*risk.Evaluator, error) {
	if rulesDir != "" {
		rules, err := dpi.LoadRules(rulesDir, logger)
		if err != nil {
			return nil, err
		}
		cfg.DPI.Rules = rules
	}
	return newRiskEvaluator(riskConfig, cfg.DPI.Rules, logger)
}

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
