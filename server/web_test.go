package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/flowlens/flowlens/risk"
	"github.com/flowlens/flowlens/store"
	"github.com/flowlens/flowlens/web"
)

// TestBytesOverTimeBuckets checks that every byte of the flows in the range
// lands in the chart bucket that holds the flow's first_seen. The ranges
// divide into buckets of fractional seconds and start off the epoch's grid.
func TestBytesOverTimeBuckets(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	st := startStore(t, store.Config{DataDir: t.TempDir()}, logger)
	judge := newJudge(t, logger)
	importCapture(t, "testdata/iphone.pcap", NewAlerter(judge, st, logger), st, logger)
	view := HistoryView{Store: st}

	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from, to string
		buckets  int
	}{
		{"2020-02-23T10:42:00Z", "2020-02-23T10:43:40Z", 60},
		{"2020-02-23T10:42:35Z", "2020-02-23T10:43:35Z", 6},
		{"2020-02-23T10:42:33.6070001Z", "2020-02-23T10:43:19.1Z", 7},
	} {
		from, to := at(c.from), at(c.to)
		got, err := view.BytesOverTime(ctx, "", from, to, c.buckets)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != c.buckets {
			t.Fatalf("%s to %s: %d buckets, want %d", c.from, c.to, len(got), c.buckets)
		}
		width := got[1].Start.Sub(got[0].Start)
		if end := got[0].Start.Add(time.Duration(c.buckets) * width); end.Before(to) {
			t.Errorf("%s to %s: the buckets end at %v, before the range", c.from, c.to, end)
		}
		flows, err := st.QueryFlows(ctx, store.Query{Scope: store.Scope{From: from, To: to}})
		if err != nil {
			t.Fatal(err)
		}
		if len(flows) == 0 {
			t.Fatalf("%s to %s: no stored flows in the range", c.from, c.to)
		}
		want := make([]uint64, c.buckets)
		for _, fl := range flows {
			want[fl.FirstSeen.Sub(got[0].Start)/width] += fl.C2SBytes + fl.S2CBytes
		}
		for i := range got {
			if got[i].Bytes != want[i] {
				t.Errorf("%s to %s: bucket %d from %v has %d bytes, want %d", c.from, c.to, i, got[i].Start, got[i].Bytes, want[i])
			}
		}
	}
}

// TestAlerterRestoresStoredAlerts checks that an Alerter started on a
// store that holds the alerts of an earlier run shows them as that run
// did.
func TestAlerterRestoresStoredAlerts(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	st := startStore(t, store.Config{DataDir: t.TempDir()}, logger)
	judge := newJudge(t, logger)
	earlier := NewAlerter(judge, st, logger)
	importCapture(t, "testdata/iphone.pcap", earlier, st, logger)
	earlier.Close()

	later := NewAlerter(judge, st, logger)
	defer later.Close()
	n, err := later.Restore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all := risk.AlertQuery{Size: alertCapacity}
	want, total, _ := earlier.Log().Alerts(ctx, all)
	if total == 0 {
		t.Fatal("iphone.pcap raised no alerts")
	}
	got, _, _ := later.Log().Alerts(ctx, all)
	if n != total {
		t.Errorf("Restore = %d alerts, want %d", n, total)
	}
	// The log numbers alerts in the order it takes them, and alerts of one
	// time may come back from the store in another order.
	key := func(a risk.Alert) string { return a.Time.String() + a.Risk + a.FlowID }
	for _, list := range [][]risk.Alert{want, got} {
		for i := range list {
			list[i].ID = 0
		}
		slices.SortFunc(list, func(a, b risk.Alert) int { return strings.Compare(key(a), key(b)) })
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("restored alerts (-earlier run +restored):\n%s", diff)
	}
}

// TestTopLeavesOutEmptyValues checks that the top lists rank values only:
// the stored flows without an SNI, a DNS query or an HTTP host are not an
// entry.
func TestTopLeavesOutEmptyValues(t *testing.T) {
	env := newTestEnv(t)
	for _, field := range []string{"tls.sni", "dns.query", "http.host"} {
		resp, err := http.Get(env.url + "/api/history/top?n=100&from=2020-02-23&to=2020-02-24&field=" + field)
		if err != nil {
			t.Fatal(err)
		}
		var top []web.TopEntry
		err = json.NewDecoder(resp.Body).Decode(&top)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", field, err)
		}
		if len(top) == 0 {
			t.Errorf("no %s among the stored flows", field)
		}
		for _, e := range top {
			if e.Value == "" {
				t.Errorf("top %s has an empty entry: %+v", field, e)
			}
		}
	}
}
