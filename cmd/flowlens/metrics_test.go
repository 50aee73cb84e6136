package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/flow"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/record"
	"github.com/flowlens/flowlens/server"
)

func TestMetricsCollector(t *testing.T) {
	src, err := capture.OpenFile("../../testdata/iphone.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	writer := server.NewBatchWriter("flows", func(context.Context, []*record.Flow) error { return errWriteFailed }, slog.New(slog.DiscardHandler))
	p := pipeline.New(pipeline.DefaultConfig(), func(_ int, f *flow.Flow) { writer.Add(f.Record()) })
	p.Start()
	if err := p.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	p.Close()
	writer.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(newMetricsCollector(metricSources{pipeline: p, source: src, writer: writer}))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			got[mf.GetName()+labelSuffix(m)] = value(m)
		}
	}
	stats := p.Stats()
	want := map[string]float64{
		"flowlens_packets_total":                                 500,
		"flowlens_bytes_total":                                   float64(stats.Read.Bytes),
		"flowlens_packets_decoded_total":                         486,
		`flowlens_packets_skipped_total{reason="non_ip"}`:        14,
		`flowlens_packets_skipped_total{reason="tcp_truncated"}`: 0,
		"flowlens_flows_created_total":                           51,
		"flowlens_flows_closed_total":                            51,
		"flowlens_flows_active":                                  0,
		"flowlens_flows_evicted_total":                           0,
		"flowlens_store_queue_flows":                             0,
		"flowlens_store_write_failures_total":                    51,
	}
	for name, v := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s missing from the scrape", name)
			continue
		}
		if g != v {
			t.Errorf("%s = %v, want %v", name, g, v)
		}
	}
	if _, ok := got["flowlens_capture_drops_total"]; ok {
		t.Error("a capture file reported kernel drops")
	}
}

func labelSuffix(m *dto.Metric) string {
	if len(m.GetLabel()) == 0 {
		return ""
	}
	s := "{"
	for i, l := range m.GetLabel() {
		if i > 0 {
			s += ","
		}
		s += l.GetName() + `="` + l.GetValue() + `"`
	}
	return s + "}"
}

func value(m *dto.Metric) float64 {
	if c := m.GetCounter(); c != nil {
		return c.GetValue()
	}
	return m.GetGauge().GetValue()
}

var errWriteFailed = errors.New("store unreachable")
