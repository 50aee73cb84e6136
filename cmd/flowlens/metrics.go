package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flowlens/flowlens/capture"
	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/pipeline"
	"github.com/flowlens/flowlens/risk"
	"github.com/flowlens/flowlens/server"
	"github.com/flowlens/flowlens/store"
)

// metricSources are the counters the /metrics collector reads at scrape time.
// Every field but pipeline may be nil.
type metricSources struct {
	pipeline *pipeline.Pipeline
	source   capture.Source // a capture.StatsSource reports kernel drops
	spool    *store.SpoolMetrics
	writer   *server.FlowWriter
	alerts   *server.Alerter
}

// metricsCollector is a prometheus.Collector that reads flowlens's
// counters when scraped, so that the packet path keeps no second count.
type metricsCollector struct {
	src metricSources

	packets, bytes, decoded, drops, skipped                           *prometheus.Desc
	flowsActive, flowsCreated, flowsClosed, flowsEvicted, flowsParked *prometheus.Desc
	alerts                                                            *prometheus.Desc
	writeQueue, writeFailures                                         *prometheus.Desc
	spoolBytes, spoolSpooled, spoolWritten, spoolDropped, spoolErrors *prometheus.Desc
}

func newMetricsCollector(src metricSources) *metricsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("flowlens_"+name, help, labels, nil)
	}
	return &metricsCollector{
		src:           src,
		packets:       d("packets_total", "Packets read from the capture source."),
		bytes:         d("bytes_total", "Wire bytes of the packets read from the capture source."),
		decoded:       d("packets_decoded_total", "Packets that decoded and reached a flow."),
		drops:         d("capture_drops_total", "Packets the kernel dropped because the capture ring was full (live capture only)."),
		skipped:       d("packets_skipped_total", "Packets that did not decode, by reason.", "reason"),
		flowsActive:   d("flows_active", "Flows open in the flow tables."),
		flowsCreated:  d("flows_created_total", "Flows created."),
		flowsClosed:   d("flows_closed_total", "Flows closed for any reason."),
		flowsEvicted:  d("flows_evicted_total", "Flows closed early because the flow table was full."),
		flowsParked:   d("flows_parked_total", "Times the inspection of an idle flow was ended by --inspect-idle."),
		alerts:        d("alerts_total", "Alerts raised, by severity.", "severity"),
		writeQueue:    d("store_queue_flows", "Closed flows waiting to be written to the store."),
		writeFailures: d("store_write_failures_total", "Closed flows whose write to the store failed."),
		spoolBytes:    d("spool_bytes", "Bytes of spool segment files on disk."),
		spoolSpooled:  d("spool_flows_total", "Flows appended to the spool."),
		spoolWritten:  d("spool_written_flows_total", "Flows drained from the spool into the store."),
		spoolDropped:  d("spool_dropped_flows_total", "Flows dropped because the spool was full."),
		spoolErrors:   d("spool_write_errors_total", "Failed writes from the spool to the store."),
	}
}

// Describe sends the descriptor of every metric Collect may send.
func (c *metricsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.packets, c.bytes, c.decoded, c.drops, c.skipped, c.flowsActive, c.flowsCreated, c.flowsClosed,
		c.flowsEvicted, c.flowsParked, c.alerts, c.writeQueue, c.writeFailures, c.spoolBytes, c.spoolSpooled,
		c.spoolWritten, c.spoolDropped, c.spoolErrors,
	} {
		ch <- d
	}
}

// Collect reads the counters and sends them.
func (c *metricsCollector) Collect(ch chan<- prometheus.Metric) {
	c.collectPipeline(ch)
	c.collectStore(ch)
	if c.src.alerts != nil {
		counts := c.src.alerts.SeverityCounts()
		for sev := risk.Low; sev <= risk.Emergency; sev++ {
			counter(ch, c.alerts, counts[sev], sev.String())
		}
	}
}

func (c *metricsCollector) collectPipeline(ch chan<- prometheus.Metric) {
	s := c.src.pipeline.Snapshot()
	counter(ch, c.packets, s.Read.Packets)
	counter(ch, c.bytes, s.Read.Bytes)
	counter(ch, c.decoded, s.Read.Decoded)
	for _, r := range decode.Reasons() {
		counter(ch, c.skipped, s.Decode.Count(r), r.String())
	}
	gauge(ch, c.flowsActive, float64(s.Flow.Active))
	counter(ch, c.flowsCreated, s.Flow.Created)
	counter(ch, c.flowsClosed, s.Flow.Closed)
	counter(ch, c.flowsEvicted, s.Flow.Evicted)
	counter(ch, c.flowsParked, s.Flow.Parked)
	if live, ok := c.src.source.(capture.StatsSource); ok {
		// A closed source has no statistics; the series then goes missing
		// rather than dropping to zero.
		if ks, err := live.Stats(); err == nil {
			counter(ch, c.drops, ks.Drops)
		}
	}
}

func (c *metricsCollector) collectStore(ch chan<- prometheus.Metric) {
	if w := c.src.writer; w != nil {
		gauge(ch, c.writeQueue, float64(w.Queued()))
		counter(ch, c.writeFailures, w.Failed())
	}
	if m := c.src.spool; m != nil {
		gauge(ch, c.spoolBytes, float64(m.SpoolBytes.Load()))
		counter(ch, c.spoolSpooled, m.SpooledFlows.Load())
		counter(ch, c.spoolWritten, m.WrittenFlows.Load())
		counter(ch, c.spoolDropped, m.DroppedFlows.Load())
		counter(ch, c.spoolErrors, m.WriteErrors.Load())
	}
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v uint64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
}

// metricsHandler serves flowlens's metrics, with the Go runtime's and
// the process's, in the Prometheus text format.
func metricsHandler(src metricSources) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newMetricsCollector(src), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
