package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flowlens/flowlens/record"
)

// benchHandler serves 100,000 active flows copied from the test records
// with distinct IDs and client ports.
func benchHandler(b *testing.B) http.Handler {
	base := loadFlows(b, "flows.jsonl")
	flows := make([]record.Flow, 100_000)
	for i := range flows {
		flows[i] = base[i%len(base)]
		flows[i].ID = fmt.Sprintf("b%d", i)
		flows[i].ClientPort = uint16(1024 + i%60000)
		flows[i].C2SBytes += uint64(i % 977)
	}
	h, err := New(Config{Geo: fakeLocator{}}, newFakeLive(flows), &fakeHistory{}, newFakeAlerts(nil), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func BenchmarkActiveFlows100k(b *testing.B) {
	h := benchHandler(b)
	for _, query := range []string{
		"sort=bytes&order=desc&page=1&size=25",
		"sort=client_ip&order=asc&page=400&size=100",
		"sort=throughput&order=desc&page=1&size=25&app=TLS.Apple",
		"sort=bytes&order=desc&page=1&size=25&host=17.248.185.87",
	} {
		b.Run(query, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/flows/active?"+query, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
