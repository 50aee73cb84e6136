//go:build linux && live

package capture

import (
	"errors"
	"net"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestLiveLoopback captures UDP datagrams sent to 127.0.0.1 in a network
// namespace of its own, with a kernel filter, then stops the capture from
// another goroutine. It needs root: go test -tags live -run Live ./capture
func TestLiveLoopback(t *testing.T) {
	enterNamespace(t)
	src, err := OpenLive("lo", LiveConfig{Filter: "udp port 9999", RingSize: 4 << 20, SnapLen: 2048})
	if err != nil {
		t.Fatal(err)
	}
	conn := udpPeer(t, "127.0.0.1:9999")
	other := udpPeer(t, "127.0.0.1:9998")

	const sent = 5
	for range sent {
		if _, err := other.Write([]byte("filtered out")); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write([]byte("flowlens")); err != nil {
			t.Fatal(err)
		}
	}

	var p Packet
	for i := range sent {
		err := src.ReadPacket(&p)
		for errors.Is(err, ErrTimeout) {
			err = src.ReadPacket(&p)
		}
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if p.LinkType != LinkTypeEthernet || p.CaptureLength != 14+20+8+8 {
			t.Errorf("packet %d: link type %d, %d bytes; want Ethernet, 50 bytes", i, p.LinkType, p.CaptureLength)
		}
	}

	stats, err := src.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if stats.Packets < sent {
		t.Errorf("Stats().Packets = %d, want at least %d", stats.Packets, sent)
	}

	// AF_PACKET delivers each datagram on loopback twice, as sent and as
	// received. Only the received copy may come through, so nothing is
	// left until Close, called from another goroutine, ends the capture.
	go func() {
		time.Sleep(200 * time.Millisecond)
		src.Close()
	}()
	for extra := 0; ; {
		err := src.ReadPacket(&p)
		if errors.Is(err, ErrClosed) {
			break
		}
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil {
			t.Fatalf("after %d more packets: ReadPacket = %v, want ErrClosed", extra, err)
		}
		extra++
		t.Errorf("packet %d of %d sent: an outgoing copy came through", sent+extra, sent)
	}
	if _, err := src.Stats(); !errors.Is(err, ErrClosed) {
		t.Errorf("Stats after Close = %v, want ErrClosed", err)
	}
}

// TestLiveBurstWhileReading sends a burst of datagrams while the reader
// still holds the block of its first packet, with the default ring and
// snapshot length, and expects every datagram and no drop: the kernel must
// have other blocks to fill. It needs root, as TestLiveLoopback does.
func TestLiveBurstWhileReading(t *testing.T) {
	enterNamespace(t)
	src, err := OpenLive("lo", LiveConfig{Filter: "udp dst port 9999"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	conn := udpPeer(t, "127.0.0.1:9999")

	// read reports whether a packet came before 20 poll timeouts (2 s)
	// in a row.
	read := func() bool {
		t.Helper()
		var p Packet
		for range 20 {
			err := src.ReadPacket(&p)
			if errors.Is(err, ErrTimeout) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			return true
		}
		return false
	}
	if _, err := conn.Write([]byte("first")); err != nil {
		t.Fatal(err)
	}
	if !read() {
		t.Fatal("first datagram not captured")
	}

	const burst = 500
	for range burst {
		if _, err := conn.Write([]byte("burst")); err != nil {
			t.Fatal(err)
		}
	}
	received := 0
	for received < burst && read() {
		received++
	}
	if received != burst {
		t.Errorf("captured %d of %d datagrams sent while the reader held a block", received, burst)
	}
	stats, err := src.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if stats.Drops != 0 {
		t.Errorf("Stats().Drops = %d, want 0", stats.Drops)
	}
}

// enterNamespace moves the test's thread into a new network namespace with
// its loopback up. The test keeps the thread and never hands it back to the
// scheduler, so the namespace dies with it.
func enterNamespace(t *testing.T) {
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		t.Fatalf("create network namespace (needs root): %v", err)
	}
	bringUpLoopback(t)
}

// udpPeer listens on addr and returns a socket connected to it, both
// closed when the test ends. The listener matters: a datagram to a closed
// port draws an ICMP error, after which the next write on the connected
// socket fails and sends nothing.
func udpPeer(t *testing.T, addr string) net.Conn {
	ln, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func bringUpLoopback(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		t.Fatal(err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		t.Fatalf("bring up lo: %v", err)
	}
}
