package store

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// clusterURLs returns the shard URLs from FLOWLENS_CLICKHOUSE_CLUSTER_URLS
// (comma-separated) and the cluster name from FLOWLENS_CLICKHOUSE_CLUSTER
// (flowlens_test when unset).
func clusterURLs(t *testing.T) ([]string, string) {
	t.Helper()
	v := os.Getenv("FLOWLENS_CLICKHOUSE_CLUSTER_URLS")
	if v == "" {
		if testing.Short() {
			t.Skip("FLOWLENS_CLICKHOUSE_CLUSTER_URLS is not set")
		}
		t.Fatal("FLOWLENS_CLICKHOUSE_CLUSTER_URLS is not set: start two shards with " +
			"scripts/clickhouse-server start DIR1 18124 19001 flowlens_test 19001 19002 and " +
			"scripts/clickhouse-server start DIR2 18125 19002 flowlens_test 19001 19002, then set it to " +
			"http://127.0.0.1:18124/,http://127.0.0.1:18125/; or run go test -short")
	}
	name := os.Getenv("FLOWLENS_CLICKHOUSE_CLUSTER")
	if name == "" {
		name = "flowlens_test"
	}
	return strings.Split(v, ","), name
}

func countOn(t *testing.T, base, query string) int {
	t.Helper()
	resp, err := http.Post(strings.TrimSuffix(base, "/")+"/", "text/plain", strings.NewReader(query))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %s", query, b)
	}
	return n
}

func TestClickHouseCluster(t *testing.T) {
	urls, cluster := clusterURLs(t)
	db := freshDatabase(t, urls...)
	s, err := OpenClickHouse(context.Background(), ClickHouseConfig{URL: urls[0], Database: db, Cluster: cluster, ShardURLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	testBackend(t, s)

	total := 0
	for _, u := range urls {
		n := countOn(t, u, fmt.Sprintf("SELECT count() FROM %s.flows_local", db))
		if n == 0 {
			t.Errorf("shard %s holds no flows; the Distributed table did not spread them", u)
		}
		total += n
	}
	if all := countOn(t, urls[1], fmt.Sprintf("SELECT count() FROM %s.flows", db)); all != total {
		t.Errorf("Distributed table on the second shard counts %d flows, shards hold %d", all, total)
	}
}

func TestClickHouseClusterWriteLocal(t *testing.T) {
	urls, cluster := clusterURLs(t)
	db := freshDatabase(t, urls...)
	ctx := context.Background()
	local, err := OpenClickHouse(ctx, ClickHouseConfig{URL: urls[1], Database: db, Cluster: cluster, ShardURLs: urls, WriteLocal: true})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	flows := loadTestFlows(t)[:40]
	if err := local.WriteFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	if n := countOn(t, urls[1], fmt.Sprintf("SELECT count() FROM %s.flows_local", db)); n != 40 {
		t.Errorf("local shard holds %d flows, want 40", n)
	}
	reader, err := OpenClickHouse(ctx, ClickHouseConfig{URL: urls[0], Database: db, Cluster: cluster, ShardURLs: urls})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	checkExactlyOnce(t, reader, flows)
}
