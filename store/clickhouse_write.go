package store

import (
	"context"
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/flowlens/flowlens/record"
)

// WriteFlows inserts the batch as one RowBinary INSERT; ClickHouse writes
// one block of it atomically.
func (c *ClickHouse) WriteFlows(ctx context.Context, flows []*record.Flow) error {
	if len(flows) == 0 {
		return nil
	}
	buf := make([]byte, 0, len(flows)*512)
	for _, fl := range flows {
		buf = appendFlowRow(buf, fl, c.Locate)
	}
	table := "flows"
	if c.cfg.Cluster != "" && c.cfg.WriteLocal {
		table, _ = c.localTables()
	}
	query := "INSERT INTO " + c.db + "." + table + " (" + strings.Join(insertColumns(), ", ") + ") FORMAT RowBinary"
	if _, err := c.exec(ctx, c.cfg.URL, query, buf); err != nil {
		return errorf("write %d flows: %w", len(flows), err)
	}
	return nil
}

// appendFlowRow encodes one flow in RowBinary, in insertColumns order.
func appendFlowRow(b []byte, fl *record.Flow, locate Locator) []byte {
	for _, f := range columns {
		switch f.kind {
		case kindUint:
			b = appendUint(b, f.bits, f.num(fl))
		case kindTime:
			b = binary.LittleEndian.AppendUint64(b, uint64(timeMicros(f.tm(fl))))
		case kindIP:
			ip := ipBytes(f.str(fl))
			b = append(b, ip[:]...)
		case kindList:
			l := f.list(fl)
			b = binary.AppendUvarint(b, uint64(len(l)))
			for _, s := range l {
				b = appendString(b, s)
			}
		default:
			b = appendString(b, f.value(fl, locate))
		}
	}
	return binary.LittleEndian.AppendUint32(b, dateTime(fl.FirstSeen))
}

func appendUint(b []byte, bits int, v uint64) []byte {
	switch bits {
	case 8:
		return append(b, byte(v))
	case 16:
		return binary.LittleEndian.AppendUint16(b, uint16(v))
	case 32:
		return binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return binary.LittleEndian.AppendUint64(b, v)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// dateTime returns t as a ClickHouse DateTime, clamped to its range
// (1970 to 2106); an absent time is 0.
func dateTime(t time.Time) uint32 {
	if t.IsZero() || t.Unix() < 0 {
		return 0
	}
	if t.Unix() > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(t.Unix())
}

// WriteAlerts inserts the batch as one RowBinary INSERT.
func (c *ClickHouse) WriteAlerts(ctx context.Context, alerts []Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	var b []byte
	for _, a := range alerts {
		b = binary.LittleEndian.AppendUint64(b, uint64(timeMicros(a.Time)))
		b = binary.LittleEndian.AppendUint32(b, dateTime(a.Time))
		for _, s := range []string{a.Severity, a.Risk, a.Description} {
			b = appendString(b, s)
		}
		b = appendString(b, addrString(a.Client))
		b = binary.LittleEndian.AppendUint16(b, a.Client.Port())
		b = appendString(b, addrString(a.Server))
		b = binary.LittleEndian.AppendUint16(b, a.Server.Port())
		b = appendString(b, a.FlowID)
	}
	table := "alerts"
	if c.cfg.Cluster != "" && c.cfg.WriteLocal {
		_, table = c.localTables()
	}
	query := "INSERT INTO " + c.db + "." + table +
		" (time_us, time, severity, risk, description, client_ip, client_port, server_ip, server_port, flow_id) FORMAT RowBinary"
	if _, err := c.exec(ctx, c.cfg.URL, query, b); err != nil {
		return errorf("write %d alerts: %w", len(alerts), err)
	}
	return nil
}
