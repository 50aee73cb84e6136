package web

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/geo"
	"github.com/flowlens/flowlens/record"
)

// testBase is the first_seen of the first test flow. Test flows end within
// the last hour so that the explorer's default range finds them.
var testBase = time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Second)

// loadFlows reads flow records from testdata and gives them IDs and times.
func loadFlows(t testing.TB, files ...string) []record.Flow {
	t.Helper()
	var flows []record.Flow
	for _, name := range files {
		f, err := os.Open("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var fl record.Flow
			if err := fl.UnmarshalJSON(sc.Bytes()); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			flows = append(flows, fl)
		}
		_ = f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range flows {
		flows[i].Schema = record.SchemaVersion
		flows[i].ID = fmt.Sprintf("f%d", i+1)
		flows[i].FirstSeen = testBase.Add(time.Duration(i) * time.Second)
		flows[i].LastSeen = flows[i].FirstSeen.Add(time.Duration(i%40+1) * time.Second)
	}
	return flows
}

// fakeLive is a Live over a fixed set of flows.
type fakeLive struct {
	flows []ActiveFlow
	byID  map[string]ActiveFlow
}

func newFakeLive(flows []record.Flow) *fakeLive {
	l := &fakeLive{byID: map[string]ActiveFlow{}}
	for i := range flows {
		f := &flows[i]
		a := ActiveFlow{Flow: f, Throughput: float64(totalBytes(f)*8) / max(duration(f), 1)}
		l.flows = append(l.flows, a)
		l.byID[f.ID] = a
	}
	return l
}

func (l *fakeLive) ActiveFlows(context.Context) []ActiveFlow { return slices.Clone(l.flows) }

func (l *fakeLive) ActiveFlow(_ context.Context, id string) (ActiveFlow, bool) {
	a, ok := l.byID[id]
	return a, ok
}

func (l *fakeLive) Stats(context.Context) Stats {
	return Stats{PacketsPerSecond: 1234, BytesPerSecond: 567890, ActiveFlows: len(l.flows)}
}

// fakeLocator places 17.0.0.0/8 in the US and treats 192.168.2.17 as the
// monitoring host.
type fakeLocator struct{}

func (fakeLocator) Locate(addr netip.Addr) geo.Location {
	loc := geo.Location{Local: geo.IsLocal(addr)}
	if netip.MustParsePrefix("17.0.0.0/8").Contains(addr) {
		loc.Country, loc.ASN, loc.ASOrg = "US", 714, "APPLE-ENGINEERING"
	}
	if addr == netip.MustParseAddr("192.168.2.17") {
		loc.Self = true
	}
	return loc
}

// fakeHistory is a History over a fixed set of flows, with a small
// evaluator of the store's filter syntax.
type fakeHistory struct {
	flows []record.Flow
}

func (h *fakeHistory) match(filter string, from, to time.Time) ([]record.Flow, error) {
	pred := func(*record.Flow) bool { return true }
	if filter != "" {
		var err error
		if pred, err = parseFilter(filter); err != nil {
			return nil, &InvalidRequestError{Err: err}
		}
	}
	var out []record.Flow
	for i := range h.flows {
		f := &h.flows[i]
		if !f.FirstSeen.Before(from) && f.FirstSeen.Before(to) && pred(f) {
			out = append(out, *f)
		}
	}
	return out, nil
}

func (h *fakeHistory) Query(_ context.Context, q HistoryQuery) ([]record.Flow, int, error) {
	flows, err := h.match(q.Filter, q.From, q.To)
	if err != nil {
		return nil, 0, err
	}
	slices.SortStableFunc(flows, func(a, b record.Flow) int {
		c := compareField(&a, &b, q.Sort)
		if q.Desc {
			return -c
		}
		return c
	})
	start := min((q.Page-1)*q.Size, len(flows))
	return flows[start:min(start+q.Size, len(flows))], len(flows), nil
}

func compareField(a, b *record.Flow, field string) int {
	switch field {
	case "bytes":
		return cmp.Compare(totalBytes(a), totalBytes(b))
	case "duration":
		return cmp.Compare(duration(a), duration(b))
	case "first_seen":
		return a.FirstSeen.Compare(b.FirstSeen)
	case "last_seen":
		return a.LastSeen.Compare(b.LastSeen)
	}
	av, bv := fieldValues(a, field), fieldValues(b, field)
	return slices.Compare(av, bv)
}

func (h *fakeHistory) Top(_ context.Context, field, filter string, from, to time.Time, n int) ([]TopEntry, error) {
	flows, err := h.match(filter, from, to)
	if err != nil {
		return nil, err
	}
	byValue := map[string]*TopEntry{}
	for i := range flows {
		for _, v := range fieldValues(&flows[i], field) {
			e := byValue[v]
			if e == nil {
				e = &TopEntry{Value: v}
				byValue[v] = e
			}
			e.Bytes += totalBytes(&flows[i])
			e.Flows++
		}
	}
	var top []TopEntry
	for _, e := range byValue {
		top = append(top, *e)
	}
	slices.SortFunc(top, func(a, b TopEntry) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Value, b.Value))
	})
	return top[:min(n, len(top))], nil
}

func (h *fakeHistory) BytesOverTime(_ context.Context, filter string, from, to time.Time, buckets int) ([]TimeBucket, error) {
	flows, err := h.match(filter, from, to)
	if err != nil {
		return nil, err
	}
	width := to.Sub(from) / time.Duration(buckets)
	out := make([]TimeBucket, buckets)
	for i := range out {
		out[i].Start = from.Add(time.Duration(i) * width)
	}
	for i := range flows {
		b := min(int(flows[i].FirstSeen.Sub(from)/width), buckets-1)
		out[b].Bytes += totalBytes(&flows[i])
	}
	return out, nil
}

func (h *fakeHistory) Flow(_ context.Context, id string) (record.Flow, bool, error) {
	for _, f := range h.flows {
		if f.ID == id {
			return f, true, nil
		}
	}
	return record.Flow{}, false, nil
}

// fakeAlerts raises one alert per risk of each flow.
type fakeAlerts struct {
	alerts []Alert
}

// testRisks describes the risks of the test flows with nDPI's severities
// and scores (nDPI's ndpi_risk_info table).
var testRisks = map[string]RiskInfo{
	"unidirectional_traffic":                {Title: "Unidirectional Traffic", Severity: "Low", Score: 10, Description: "Only one direction of the flow carried packets."},
	"ssh_obsolete_client_version_or_cipher": {Title: "SSH Obsolete Client Version/Cipher", Severity: "High", Score: 100, Description: "The SSH client offers an obsolete version or cipher."},
	"ssh_obsolete_server_version_or_cipher": {Title: "SSH Obsolete Server Version/Cipher", Severity: "Medium", Score: 50, Description: "The SSH server offers an obsolete version or cipher."},
	"known_protocol_on_non_standard_port":   {Title: "Known Protocol on Non Standard Port", Severity: "Medium", Score: 50, Description: "The protocol runs on a port that is not its usual one."},
}

type riskTable map[string]RiskInfo

func (r riskTable) Describe(name string) (RiskInfo, bool) {
	info, ok := r[name]
	return info, ok
}

func newFakeAlerts(flows []record.Flow) *fakeAlerts {
	a := &fakeAlerts{}
	for _, f := range flows {
		for _, risk := range f.Risks {
			info := testRisks[risk]
			a.alerts = append(a.alerts, Alert{
				ID: fmt.Sprintf("a%d", len(a.alerts)+1), Time: f.LastSeen, Risk: risk, Severity: info.Severity,
				Score: info.Score, FlowID: f.ID, App: f.App, ClientIP: f.ClientIP, ClientPort: f.ClientPort,
				ServerIP: f.ServerIP, ServerPort: f.ServerPort, Info: f.Info,
			})
		}
	}
	slices.SortFunc(a.alerts, func(x, y Alert) int { return y.Time.Compare(x.Time) })
	return a
}

func (a *fakeAlerts) Alerts(_ context.Context, q AlertQuery) ([]Alert, int, error) {
	var out []Alert
	for _, al := range a.alerts {
		if q.Risk != "" && al.Risk != q.Risk {
			continue
		}
		if q.Severity != "" && slices.Index(severities, al.Severity) < slices.Index(severities, q.Severity) {
			continue
		}
		if q.Host.IsValid() && al.ClientIP != q.Host.String() && al.ServerIP != q.Host.String() {
			continue
		}
		if (!q.From.IsZero() && al.Time.Before(q.From)) || (!q.To.IsZero() && !al.Time.Before(q.To)) {
			continue
		}
		out = append(out, al)
	}
	if q.Size == 0 {
		return nil, len(out), nil
	}
	start := min((q.Page-1)*q.Size, len(out))
	return out[start:min(start+q.Size, len(out))], len(out), nil
}
