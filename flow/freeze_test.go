package flow

import (
	"bytes"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowlens/flowlens/decode"
	"github.com/flowlens/flowlens/dpi"
	"github.com/flowlens/flowlens/record"
)

// recordBaseFields are the record fields that dpi.Flow.Fill does not set.
// Flow.Record sets them from the flow itself, or the risk stage does, so
// the DPI part of a frozen flow leaves them out.
var recordBaseFields = []string{
	"Schema", "ID", "FirstSeen", "LastSeen", "VLAN", "IPVersion", "L4",
	"ClientIP", "ClientPort", "ServerIP", "ServerPort",
	"C2SPackets", "C2SBytes", "S2CPackets", "S2CBytes", "RiskScore",
}

// populate sets every field reachable from v to a value that is not zero:
// strings hold bytes that are not UTF-8, lists two items, times a date past
// the year 2262 where nanoseconds since 1970 overflow.
func populate(v reflect.Value, seed *int) {
	*seed++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		populate(v.Elem(), seed)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(9999, 12, 31, 23, 59, 59, *seed, time.UTC)))
			return
		}
		for i := range v.NumField() {
			populate(v.Field(i), seed)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		populate(v.Index(0), seed)
		populate(v.Index(1), seed)
	case reflect.String:
		v.SetString(string([]byte{'v', byte(*seed), 0xff, 0xfe}))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*seed) * 1000)
	case reflect.Uint16, reflect.Uint64:
		v.SetUint(uint64(*seed))
	default:
		panic("populate: add kind " + v.Kind().String())
	}
}

// TestDPIPartRoundTrip fills every record field and checks that the DPI
// part gives back each field that dpi.Flow.Fill sets, byte for byte. A
// field added to the record fails here until the DPI part or
// recordBaseFields names it.
func TestDPIPartRoundTrip(t *testing.T) {
	var want record.Flow
	seed := 0
	populate(reflect.ValueOf(&want).Elem(), &seed)
	for _, name := range recordBaseFields {
		f := reflect.ValueOf(&want).Elem().FieldByName(name)
		if !f.IsValid() {
			t.Fatalf("record has no field %s", name)
		}
		f.SetZero()
	}
	var got record.Flow
	if err := readDPIPart(appendDPIPart(nil, &want), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DPI part round trip (-want +got):\n%s", diff)
	}
}

// frozenSample returns the blob of a flow with a full DPI part.
func frozenSample() []byte {
	var r record.Flow
	seed := 0
	populate(reflect.ValueOf(&r).Elem(), &seed)
	f := &Flow{ID: 7, FirstSeen: 1, LastSeen: 2, Packets: [2]uint64{3, 4}, TCPFlags: [2]uint8{2, 18}, ClientIsLo: true}
	return appendFrozen(nil, f, &thawedDPI{part: appendDPIPart(nil, &r), unnamed: true})
}

func TestReadFrozenRejectsDamage(t *testing.T) {
	blob := frozenSample()
	var f Flow
	if err := readFrozen(blob, &f); err != nil {
		t.Fatalf("whole blob: %v", err)
	}
	if f.ID != 7 || f.Packets != [2]uint64{3, 4} || f.TCPFlags != [2]uint8{2, 18} || !f.ClientIsLo || !f.thawed.unnamed {
		t.Errorf("read back %+v, unnamed %v", f, f.thawed.unnamed)
	}
	for n := range len(blob) {
		if err := readFrozen(blob[:n], &Flow{}); err == nil {
			t.Errorf("blob cut to %d of %d bytes read without error", n, len(blob))
		}
	}
	if err := readFrozen(append(blob, 0), &Flow{}); err == nil {
		t.Error("blob with a trailing byte read without error")
	}
}

func FuzzReadFrozen(f *testing.F) {
	f.Add(frozenSample())
	f.Add(appendFrozen(nil, &Flow{}, &thawedDPI{part: appendDPIPart(nil, &record.Flow{})}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fl Flow
		if readFrozen(b, &fl) != nil {
			return
		}
		// What reads back fills a record whose DPI part round trips.
		var r, again record.Flow
		fl.thawed.fill(&r)
		if err := readDPIPart(appendDPIPart(nil, &r), &again); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, again); diff != "" {
			t.Errorf("DPI part read back does not round trip (-first +second):\n%s", diff)
		}
	})
}

// TestTableFreezesIdleFlow freezes a flow whose inspection ended, reads it
// back for a later packet and checks that it counts as one flow whose last
// record replaces the first.
func TestTableFreezesIdleFlow(t *testing.T) {
	var frozen, closed []*record.Flow
	var gens []uint32
	cfg := captureConfig()
	table := NewTable(cfg, dpi.NewEngine(dpi.DefaultConfig()), func(f *Flow) {
		closed = append(closed, f.Record())
		gens = append(gens, f.Generation())
	})
	table.SetFreezer(func(f *Flow) {
		frozen = append(frozen, f.Record())
		gens = append(gens, f.Generation())
	})
	p := pkt(decode.ProtoUDP, clientAddr, 40000, serverAddr, 41000, 0)
	p.Payload = []byte("no protocol starts with these bytes")
	table.Add(p, 100, int64(time.Second))
	key, _ := KeyOf(p)

	// Ten minutes idle end the inspection, and the flow leaves memory.
	advance(table, time.Second, time.Second+10*time.Minute)
	s := table.Stats()
	if s.Frozen != 1 || s.Active != 1 || len(frozen) != 1 || table.flows[key] != nil {
		t.Fatalf("after 10 minutes idle: frozen %d, active %d, records %d, in memory %v; want 1, 1, 1, false",
			s.Frozen, s.Active, len(frozen), table.flows[key] != nil)
	}

	table.Add(p, 100, int64(time.Second+11*time.Minute))
	f := table.flows[key]
	if f == nil || table.Stats().Thawed != 1 || f.Generation() != 1 {
		t.Fatalf("after the next packet: flow in memory %v, thawed %d; want the flow back with generation 1", f != nil, table.Stats().Thawed)
	}
	table.Flush()
	if len(closed) != 1 || closed[0].C2SPackets != 2 {
		t.Fatalf("closed %d flows, want 1 with 2 packets", len(closed))
	}
	if gens[0] != 0 || gens[1] != 1 {
		t.Errorf("generations %v, want [0 1]", gens)
	}
	// Apart from the counters and times, the record is the one frozen.
	want, got := *frozen[0], *closed[0]
	want.C2SPackets, want.C2SBytes, want.LastSeen = got.C2SPackets, got.C2SBytes, got.LastSeen
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record after reading back (-frozen +closed):\n%s", diff)
	}
	if s := table.Stats(); s.Closed != 1 || s.Active != 0 {
		t.Errorf("closed %d, active %d after flush; want 1 and 0", s.Closed, s.Active)
	}
}

// TestTableFreezeSurvivesFullVault freezes one flow, then fails the vault's
// write, as a full disk does, while freezing a second. The first flow still
// reads back from the bytes kept in memory, the second stays in memory
// unnamed, and each flow ends as one record.
func TestTableFreezeSurvivesFullVault(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open /dev/full to fail writes: %v", err)
	}
	var frozen, closed []*record.Flow
	table := NewTable(captureConfig(), dpi.NewEngine(dpi.DefaultConfig()), func(f *Flow) {
		closed = append(closed, f.Record())
	})
	table.SetFreezer(func(f *Flow) { frozen = append(frozen, f.Record()) })
	table.vault = &vault{file: full, removed: true}
	defer table.Flush()

	first := pkt(decode.ProtoUDP, clientAddr, 40000, serverAddr, 41000, 0)
	first.Payload = []byte("no protocol starts with these bytes")
	second := pkt(decode.ProtoUDP, clientAddr, 40001, serverAddr, 41000, 0)
	second.Payload = first.Payload
	secondKey, _ := KeyOf(second)

	table.Add(first, 100, int64(time.Second))
	advance(table, time.Second, time.Second+10*time.Minute)
	if s := table.Stats(); s.Frozen != 1 {
		t.Fatalf("frozen %d flows, want 1", s.Frozen)
	}
	// The next blob no longer fits the buffer, whose write then fails.
	table.vault.pending = append(table.vault.pending, make([]byte, vaultBuffer-len(table.vault.pending))...)
	table.Add(second, 100, int64(11*time.Minute))
	advance(table, 11*time.Minute, 21*time.Minute)

	s := table.Stats()
	if s.Frozen != 1 || s.FreezeFailed != 1 {
		t.Errorf("frozen %d, failed %d after the write failed; want 1 and 1", s.Frozen, s.FreezeFailed)
	}
	f := table.flows[secondKey]
	if f == nil || !f.unnamed() {
		t.Fatalf("second flow in memory %v; want it kept there, unnamed", f != nil)
	}
	table.Add(first, 100, int64(22*time.Minute))
	table.Add(second, 100, int64(22*time.Minute))
	if s := table.Stats(); s.Thawed != 1 || s.Created != 2 {
		t.Errorf("thawed %d, created %d; want 1 and 2", s.Thawed, s.Created)
	}
	table.Flush()
	if len(frozen) != 1 || len(closed) != 2 {
		t.Fatalf("%d records frozen and %d closed, want 1 and 2", len(frozen), len(closed))
	}
	for _, r := range closed {
		if r.C2SPackets != 2 {
			t.Errorf("flow %s closed with %d packets, want 2", r.ID, r.C2SPackets)
		}
	}
}

// TestVaultReadsAcrossWrittenBytes reads blobs that lie in the file, in
// memory, and across both after a short write.
func TestVaultReadsAcrossWrittenBytes(t *testing.T) {
	v, err := openVault()
	if err != nil {
		t.Fatal(err)
	}
	defer v.close()
	var refs []frozenRef
	var blobs [][]byte
	for i := range 3000 {
		blob := bytes.Repeat([]byte{byte(i)}, 100+i%50)
		ref, err := v.append(blob)
		if err != nil {
			t.Fatal(err)
		}
		refs, blobs = append(refs, ref), append(blobs, blob)
	}
	// Leave part of the pending bytes unwritten, as a short write does.
	if _, err := v.file.Write(v.pending[:1000]); err != nil {
		t.Fatal(err)
	}
	v.written += 1000
	v.pending = v.pending[:copy(v.pending, v.pending[1000:])]
	for i, ref := range refs {
		got, err := v.read(ref)
		if err != nil {
			t.Fatalf("blob %d: %v", i, err)
		}
		if !bytes.Equal(got, blobs[i]) {
			t.Errorf("blob %d at %d reads back wrong", i, ref.off)
		}
	}
}

// TestTableFreezeSkipsBackwardExpiry checks that a packet older than the
// one before freezes nothing, so that a clock alternating between two times
// does not freeze and read back flows at every packet, and that the next
// expiry still freezes a flow last seen far ahead of the packet time.
func TestTableFreezeSkipsBackwardExpiry(t *testing.T) {
	table := NewTable(captureConfig(), dpi.NewEngine(dpi.DefaultConfig()), nil)
	table.SetFreezer(func(*Flow) {})
	defer table.Flush()
	p := pkt(decode.ProtoUDP, clientAddr, 40000, serverAddr, 41000, 0)
	p.Payload = []byte("no protocol starts with these bytes")
	table.Add(p, 100, int64(time.Second))
	advance(table, time.Second, time.Second+10*time.Minute)
	later := int64(365 * 24 * time.Hour)
	table.Add(p, 100, later)
	if s := table.Stats(); s.Frozen != 1 || s.Thawed != 1 {
		t.Fatalf("frozen %d, thawed %d; want 1 and 1", s.Frozen, s.Thawed)
	}

	table.Expire(int64(11 * time.Minute))
	if s := table.Stats(); s.Frozen != 1 {
		t.Errorf("frozen %d times after an expiry back in time, want 1", s.Frozen)
	}
	table.Expire(int64(12 * time.Minute))
	if s := table.Stats(); s.Frozen != 2 {
		t.Errorf("frozen %d times after the next expiry, want 2", s.Frozen)
	}
}
