package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

func clickhouseType(f *field) string {
	switch f.kind {
	case kindUint:
		return fmt.Sprintf("UInt%d", f.bits)
	case kindTime:
		return "Int64"
	case kindIP:
		return "FixedString(16)"
	case kindList:
		return "Array(String)"
	}
	return "String"
}

// clickhouseColumn returns the column of a stored field. Times are
// microseconds since the Unix epoch in an Int64 column named with _us,
// because DateTime64 does not exist in ClickHouse 18.16.
func clickhouseColumn(f *field) string {
	if f.kind == kindTime {
		return f.column + "_us"
	}
	return f.column
}

// insertColumns lists the flow columns in RowBinary order: every field,
// then first_seen as a DateTime for partitions and the primary key.
func insertColumns() []string {
	cols := make([]string, 0, len(columns)+1)
	for _, f := range columns {
		cols = append(cols, clickhouseColumn(f))
	}
	return append(cols, "first_seen")
}

func flowsColumnsDDL() string {
	var b strings.Builder
	for _, f := range columns {
		fmt.Fprintf(&b, "%s %s, ", clickhouseColumn(f), clickhouseType(f))
	}
	b.WriteString("first_seen DateTime")
	return b.String()
}

const alertsColumnsDDL = `time_us Int64, time DateTime, severity String, risk String, description String,
	client_ip String, client_port UInt16, server_ip String, server_port UInt16, flow_id String`

// localTables returns the names of the MergeTree tables: flows_local and
// alerts_local in cluster mode, flows and alerts otherwise.
func (c *ClickHouse) localTables() (flows, alerts string) {
	if c.cfg.Cluster != "" {
		return "flows_local", "alerts_local"
	}
	return "flows", "alerts"
}

// tableDDL returns the statements that create the tables on one server.
// Flows are partitioned by day of first_seen, so that retention drops
// whole partitions, and ordered by hour and client address for time-range
// and host queries.
func (c *ClickHouse) tableDDL(onCluster string) []string {
	flows, alerts := c.localTables()
	stmts := []string{
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s (%s) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(first_seen) ORDER BY (toStartOfHour(first_seen), client_ip, server_ip)",
			c.db, flows, onCluster, flowsColumnsDDL()),
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s (%s) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (time, risk)",
			c.db, alerts, onCluster, alertsColumnsDDL),
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.flowlens_schema%s (version UInt32) ENGINE = TinyLog", c.db, onCluster),
	}
	if c.cfg.Cluster == "" {
		return stmts
	}
	cluster := quoteString(c.cfg.Cluster)
	return append(stmts,
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.flows%s AS %s.flows_local ENGINE = Distributed(%s, %s, flows_local, cityHash64(id))",
			c.db, onCluster, c.db, cluster, quoteString(c.cfg.Database)),
		fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.alerts%s AS %s.alerts_local ENGINE = Distributed(%s, %s, alerts_local, cityHash64(flow_id))",
			c.db, onCluster, c.db, cluster, quoteString(c.cfg.Database)))
}

// ddlTargets returns the servers to create tables on and the ON CLUSTER
// clause to use.
func (c *ClickHouse) ddlTargets() ([]string, string) {
	if c.cfg.Cluster == "" {
		return []string{c.cfg.URL}, ""
	}
	if len(c.cfg.ShardURLs) > 0 {
		return c.cfg.ShardURLs, ""
	}
	return []string{c.cfg.URL}, " ON CLUSTER " + backquote(c.cfg.Cluster)
}

// migrate creates the tables where they are missing and checks the schema
// version on every target server.
func (c *ClickHouse) migrate(ctx context.Context) error {
	targets, onCluster := c.ddlTargets()
	for _, base := range targets {
		for _, stmt := range c.tableDDL(onCluster) {
			if _, err := c.exec(ctx, base, stmt, nil); err != nil {
				return errorf("create tables on %s: %w", redactURL(base), err)
			}
		}
		if err := c.checkVersion(ctx, base); err != nil {
			return err
		}
	}
	return nil
}

func (c *ClickHouse) checkVersion(ctx context.Context, base string) error {
	out, err := c.exec(ctx, base, "SELECT version FROM "+c.db+".flowlens_schema FORMAT TabSeparated", nil)
	if err != nil {
		return errorf("read schema version on %s: %w", redactURL(base), err)
	}
	versions := strings.Fields(string(out))
	if len(versions) == 0 {
		_, err := c.exec(ctx, base, fmt.Sprintf("INSERT INTO %s.flowlens_schema VALUES (%d)", c.db, SchemaVersion), nil)
		if err != nil {
			return errorf("write schema version on %s: %w", redactURL(base), err)
		}
		return nil
	}
	if versions[0] != fmt.Sprint(SchemaVersion) {
		return errorf("tables on %s have schema version %s, this flowlens writes version %d; use another database", redactURL(base), versions[0], SchemaVersion)
	}
	return nil
}

// DropExpired drops the daily flow and alert partitions older than
// RetentionDays before now, on every shard in cluster mode. It does
// nothing when RetentionDays is 0.
func (c *ClickHouse) DropExpired(ctx context.Context, now time.Time) error {
	if c.cfg.RetentionDays <= 0 {
		return nil
	}
	cutoff := now.UTC().AddDate(0, 0, -c.cfg.RetentionDays).Format("20060102")
	targets := []string{c.cfg.URL}
	if c.cfg.Cluster != "" && len(c.cfg.ShardURLs) > 0 {
		targets = c.cfg.ShardURLs
	}
	flows, alerts := c.localTables()
	for _, base := range targets {
		for _, table := range []string{flows, alerts} {
			if err := c.dropPartitionsBefore(ctx, base, table, cutoff); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *ClickHouse) dropPartitionsBefore(ctx context.Context, base, table, cutoff string) error {
	query := fmt.Sprintf("SELECT DISTINCT partition FROM system.parts WHERE database = %s AND table = %s AND active AND partition < %s FORMAT TabSeparated",
		quoteString(c.cfg.Database), quoteString(table), quoteString(cutoff))
	out, err := c.exec(ctx, base, query, nil)
	if err != nil {
		return errorf("list partitions of %s on %s: %w", table, redactURL(base), err)
	}
	for _, p := range strings.Fields(string(out)) {
		// Partitions are days as toYYYYMMDD numbers; anything else is not ours.
		if strings.Trim(p, "0123456789") != "" {
			continue
		}
		stmt := fmt.Sprintf("ALTER TABLE %s.%s DROP PARTITION %s", c.db, table, p)
		if _, err := c.exec(ctx, base, stmt, nil); err != nil {
			return errorf("drop partition %s of %s on %s: %w", p, table, redactURL(base), err)
		}
	}
	return nil
}
