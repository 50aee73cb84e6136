package store

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Count returns how many flows the scope selects.
func (c *ClickHouse) Count(ctx context.Context, s Scope) (uint64, error) {
	where, _, err := whereClause(clickhouseDialect{}, s)
	if err != nil {
		return 0, err
	}
	var n int64
	err = c.query(ctx, "SELECT count() AS n FROM "+c.db+".flows WHERE "+where, func(m map[string]json.RawMessage) error {
		n, err = jsonInt(m["n"])
		return err
	})
	if err != nil {
		return 0, errorf("count flows: %w", err)
	}
	return uint64(n), nil
}

// Top returns the values of q.By with the most bytes.
func (c *ClickHouse) Top(ctx context.Context, q TopQuery) ([]TopEntry, error) {
	f, err := topField(q.By)
	if err != nil {
		return nil, err
	}
	where, _, err := whereClause(clickhouseDialect{}, q.Scope)
	if err != nil {
		return nil, err
	}
	col := clickhouseColumn(f)
	query := fmt.Sprintf("SELECT %s AS v, sum(c2s_bytes + s2c_bytes) AS b, count() AS n FROM %s.flows WHERE %s GROUP BY v ORDER BY b DESC, v%s",
		col, c.db, where, limitClause(q.N, 0))
	if f.kind == kindIP {
		query = fmt.Sprintf("SELECT hex(%s) AS v, sum(c2s_bytes + s2c_bytes) AS b, count() AS n FROM %s.flows WHERE %s GROUP BY v ORDER BY b DESC, v%s",
			col, c.db, where, limitClause(q.N, 0))
	}
	var out []TopEntry
	err = c.query(ctx, query, func(m map[string]json.RawMessage) error {
		e, err := topEntryFromJSON(f, m)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, errorf("top %s: %w", q.By, err)
	}
	return out, nil
}

func topEntryFromJSON(f *field, m map[string]json.RawMessage) (TopEntry, error) {
	var e TopEntry
	b, err := jsonInt(m["b"])
	if err != nil {
		return e, err
	}
	n, err := jsonInt(m["n"])
	if err != nil {
		return e, err
	}
	e.Bytes, e.Flows = uint64(b), uint64(n)
	switch f.kind {
	case kindUint:
		v, err := jsonInt(m["v"])
		e.Value = fmt.Sprint(v)
		return e, err
	case kindIP:
		var h string
		if err := json.Unmarshal(m["v"], &h); err != nil {
			return e, err
		}
		raw, err := hex.DecodeString(h)
		e.Value = ipString(raw, 0)
		return e, err
	}
	err = json.Unmarshal(m["v"], &e.Value)
	return e, err
}

// BytesOverTime sums bytes per bucket of first_seen.
func (c *ClickHouse) BytesOverTime(ctx context.Context, q SeriesQuery) ([]SeriesPoint, error) {
	step, err := validBucket(q.Bucket)
	if err != nil {
		return nil, err
	}
	where, _, err := whereClause(clickhouseDialect{}, q.Scope)
	if err != nil {
		return nil, err
	}
	origin := timeMicros(q.From)
	query := fmt.Sprintf("SELECT intDiv(first_seen_us - %d, %d) * %d + %d AS k, sum(c2s_bytes + s2c_bytes) AS b, count() AS n FROM %s.flows WHERE %s GROUP BY k ORDER BY k",
		origin, step, step, origin, c.db, where)
	var out []SeriesPoint
	err = c.query(ctx, query, func(m map[string]json.RawMessage) error {
		var p SeriesPoint
		k, err1 := jsonInt(m["k"])
		b, err2 := jsonInt(m["b"])
		n, err3 := jsonInt(m["n"])
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				return err
			}
		}
		p.Start, p.Bytes, p.Flows = time.UnixMicro(k).UTC(), uint64(b), uint64(n)
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, errorf("bytes over time: %w", err)
	}
	return out, nil
}

// QueryAlerts returns alerts in [From, To), newest first.
func (c *ClickHouse) QueryAlerts(ctx context.Context, q AlertQuery) ([]Alert, error) {
	where := "1 = 1"
	if !q.From.IsZero() {
		where += fmt.Sprintf(" AND time_us >= %d", timeMicros(q.From))
	}
	if !q.To.IsZero() {
		where += fmt.Sprintf(" AND time_us < %d", timeMicros(q.To))
	}
	query := "SELECT time_us, severity, risk, description, client_ip, client_port, server_ip, server_port, flow_id FROM " +
		c.db + ".alerts WHERE " + where + " ORDER BY time_us DESC, risk, flow_id" + limitClause(q.Limit, 0)
	var out []Alert
	err := c.query(ctx, query, func(m map[string]json.RawMessage) error {
		a, err := alertFromJSON(m)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, errorf("query alerts: %w", err)
	}
	return out, nil
}

func alertFromJSON(m map[string]json.RawMessage) (Alert, error) {
	var a Alert
	var cip, sip string
	us, err := jsonInt(m["time_us"])
	if err != nil {
		return a, err
	}
	cport, _ := jsonInt(m["client_port"])
	sport, _ := jsonInt(m["server_port"])
	for key, dst := range map[string]*string{"severity": &a.Severity, "risk": &a.Risk, "description": &a.Description,
		"client_ip": &cip, "server_ip": &sip, "flow_id": &a.FlowID} {
		if err := json.Unmarshal(m[key], dst); err != nil {
			return a, fmt.Errorf("column %s: %w", key, err)
		}
	}
	a.Time = time.UnixMicro(us).UTC()
	a.Client, a.Server = addrPort(cip, uint16(cport)), addrPort(sip, uint16(sport))
	return a, nil
}
