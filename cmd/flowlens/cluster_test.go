package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clickHouseSQL runs one statement on the ClickHouse server at base and
// returns its output.
func clickHouseSQL(t *testing.T, base, sql string) string {
	t.Helper()
	resp, err := http.Post(base, "text/plain", strings.NewReader(sql))
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %s", sql, resp.StatusCode, body)
	}
	return strings.TrimSpace(string(body))
}

// TestClusterTwoProbes runs two flowlens probes, each importing its own
// capture into its own shard of a two-shard ClickHouse cluster, then one
// query through the Distributed table, which returns the flows of both.
func TestClusterTwoProbes(t *testing.T) {
	urls := strings.Split(os.Getenv("FLOWLENS_CLICKHOUSE_CLUSTER_URLS"), ",")
	if len(urls) != 2 {
		if testing.Short() {
			t.Skip("FLOWLENS_CLICKHOUSE_CLUSTER_URLS is not set")
		}
		t.Fatal("FLOWLENS_CLICKHOUSE_CLUSTER_URLS must hold the HTTP URLs of two shards; scripts/ci-clickhouse start sets it, or run go test -short")
	}
	cluster := os.Getenv("FLOWLENS_CLICKHOUSE_CLUSTER")
	if cluster == "" {
		cluster = "flowlens_test"
	}
	db := "flowlens_probes_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	for _, u := range urls {
		clickHouseSQL(t, u, "CREATE DATABASE "+db)
		t.Cleanup(func() { http.Post(u, "text/plain", strings.NewReader("DROP DATABASE IF EXISTS "+db)) })
	}
	clusterFlags := []string{"--store-database", db, "--store-cluster", cluster, "--store-shards", strings.Join(urls, ",")}

	bin := buildBinary(t)
	captures := []string{"../../testdata/iphone.pcap", "../../capture/testdata/smtp-starttls.pcap"}
	var want []string
	for i, capture := range captures {
		args := append([]string{"import", "--store", urls[i], "--store-write-local"}, clusterFlags...)
		if out, err := exec.Command(bin, append(args, capture)...).CombinedOutput(); err != nil {
			t.Fatalf("probe %d: flowlens import %s: %v\n%s", i+1, capture, err, out)
		}
		analyzed, err := exec.Command(bin, "analyze", "-r", capture).Output()
		if err != nil {
			t.Fatalf("flowlens analyze %s: %v", capture, err)
		}
		lines := withoutIDs(t, string(analyzed))
		want = append(want, lines...)

		local := clickHouseSQL(t, urls[i], fmt.Sprintf("SELECT count() FROM %s.flows_local", db))
		if local != strconv.Itoa(len(lines)) {
			t.Errorf("shard %s holds %s flows, want the %d of probe %d", urls[i], local, len(lines), i+1)
		}
	}

	args := append([]string{"query", "true", "--store", urls[0]}, clusterFlags...)
	queried, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("flowlens query: %v", err)
	}
	got := withoutIDs(t, string(queried))
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("query through the Distributed table vs both probes' flows (-want +got):\n%s", diff)
	}
}

func TestStoreFlagsNeedClickHouse(t *testing.T) {
	tests := [][]string{
		{"true", "--data-dir", t.TempDir(), "--store-cluster", "c"},
		{"true", "--store", "http://127.0.0.1:1/", "--store-write-local"},
	}
	for _, args := range tests {
		err := runQuery(args)
		if err == nil || !strings.Contains(err.Error(), "--store") {
			t.Errorf("query %q = %v, want a usage error about the --store flags", args, err)
		}
	}
}
