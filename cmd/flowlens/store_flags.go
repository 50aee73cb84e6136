package main

import (
	"errors"
	"flag"
	"strings"

	"github.com/flowlens/flowlens/store"
)

// addClickHouseFlags registers the ClickHouse settings of the store, other
// than its URL, on fs.
func addClickHouseFlags(fs *flag.FlagSet, cfg *store.ClickHouseConfig) {
	fs.StringVar(&cfg.Database, "store-database", "", "ClickHouse `database` of the flow and alert tables; it must exist (default \"default\")")
	fs.StringVar(&cfg.Cluster, "store-cluster", "", "ClickHouse `cluster` name from the servers' remote_servers: each shard keeps its flows in flows_local, and reads and writes go through the Distributed table flows")
	fs.Func("store-shards", "comma-separated HTTP `URLs` of the cluster's shards, to create the tables on each in turn; without it they are created with ON CLUSTER, which needs distributed DDL on the servers", func(v string) error {
		cfg.ShardURLs = nil
		for _, u := range strings.Split(v, ",") {
			if u = strings.TrimSpace(u); u != "" {
				cfg.ShardURLs = append(cfg.ShardURLs, u)
			}
		}
		return nil
	})
	fs.BoolVar(&cfg.WriteLocal, "store-write-local", false, "with --store-cluster, write flows to the shard that --store names instead of through the Distributed table")
}

// checkClickHouseFlags rejects ClickHouse settings given for the embedded
// store, and cluster settings given without a cluster name.
func checkClickHouseFlags(url string, cfg store.ClickHouseConfig) error {
	clickHouse := url != "" && !strings.EqualFold(url, "duckdb")
	switch {
	case !clickHouse && (cfg.Database != "" || cfg.Cluster != "" || len(cfg.ShardURLs) > 0 || cfg.WriteLocal || cfg.RetentionDays > 0):
		return errors.New("the --store-* flags apply to ClickHouse only; give --store with a ClickHouse HTTP URL")
	case cfg.Cluster == "" && (len(cfg.ShardURLs) > 0 || cfg.WriteLocal):
		return errors.New("--store-shards and --store-write-local need --store-cluster")
	}
	return nil
}
