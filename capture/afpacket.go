//go:build linux

package capture

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/net/bpf"
)

// blockTarget is the size the ring's blocks are cut to, in whole frames.
// The kernel fills one block while flowlens reads another, so the ring
// needs many of them. With 128 frames per block, as in gopacket's afpacket
// defaults, the default 256 KiB snapshot length made the 64 MiB ring one
// block of 33 MiB, and the kernel dropped every packet that came while
// flowlens read it.
const blockTarget = 1 << 20

// OpenLive starts capturing on the Linux interface iface, in promiscuous
// mode, through an AF_PACKET socket with a TPACKET_V3 memory-mapped ring.
// Packets are Ethernet frames, loopback's included; 802.1Q tags that the
// kernel strips are put back into the frame. On a loopback interface only
// the received copy of each packet is kept. It needs CAP_NET_RAW.
func OpenLive(iface string, cfg LiveConfig) (StatsSource, error) {
	cfg = cfg.withDefaults()
	frameSize, blockSize, blocks, err := ringGeometry(cfg.SnapLen, cfg.RingSize, os.Getpagesize())
	if err != nil {
		return nil, err
	}

	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(iface),
		afpacket.OptFrameSize(frameSize),
		afpacket.OptBlockSize(blockSize),
		afpacket.OptNumBlocks(blocks),
		afpacket.OptPollTimeout(cfg.PollTimeout),
		afpacket.OptAddVLANHeader(true),
		afpacket.TPacketVersion3,
	)
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
			return nil, fmt.Errorf("capture: open AF_PACKET socket on %q: %w (live capture needs root or CAP_NET_RAW)", iface, err)
		}
		return nil, fmt.Errorf("capture: open AF_PACKET socket on %q: %w", iface, err)
	}

	if err := setUpSocket(tp, iface, cfg); err != nil {
		tp.Close()
		return nil, fmt.Errorf("capture: set up capture on %q: %w", iface, err)
	}
	return &liveSource{tp: tp, snaplen: cfg.SnapLen}, nil
}

func setUpSocket(tp *afpacket.TPacket, iface string, cfg LiveConfig) error {
	if err := tp.SetPromiscuous(true); err != nil {
		return fmt.Errorf("enable promiscuous mode: %w", err)
	}
	var program []bpf.RawInstruction
	if cfg.Filter != "" {
		var err error
		if program, err = CompileFilter(cfg.Filter, LinkTypeEthernet, cfg.SnapLen); err != nil {
			return err
		}
	}
	if isLoopback(iface) {
		program = dropOutgoing(program, cfg.SnapLen)
	}
	if program == nil {
		return nil
	}
	if err := tp.SetBPF(program); err != nil {
		return fmt.Errorf("attach filter %q: %w", cfg.Filter, err)
	}
	return nil
}

// isLoopback reports whether the interface named iface is a loopback
// interface.
func isLoopback(iface string) bool {
	ifi, err := net.InterfaceByName(iface)
	return err == nil && ifi.Flags&net.FlagLoopback != 0
}

// dropOutgoing puts a check in front of program that rejects the packets
// the host sends. On a loopback interface AF_PACKET delivers each packet
// twice, once as sent (PACKET_OUTGOING) and once as received. Without the
// check every packet would be counted twice, and libpcap drops the
// outgoing copy on loopback for the same reason. An empty program accepts
// the rest up to snaplen bytes. The program's own jumps are relative, so
// they stay valid behind the prefix.
func dropOutgoing(program []bpf.RawInstruction, snaplen int) []bpf.RawInstruction {
	const packetOutgoing = 4 // PACKET_OUTGOING in linux/if_packet.h
	if len(program) == 0 {
		program = []bpf.RawInstruction{mustAssemble(bpf.RetConstant{Val: uint32(snaplen)})}
	}
	prefix := []bpf.RawInstruction{
		mustAssemble(bpf.LoadExtension{Num: bpf.ExtType}),
		mustAssemble(bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetOutgoing, SkipTrue: 0, SkipFalse: 1}),
		mustAssemble(bpf.RetConstant{Val: 0}),
	}
	return append(prefix, program...)
}

func mustAssemble(ins bpf.Instruction) bpf.RawInstruction {
	raw, err := ins.Assemble()
	if err != nil {
		panic(fmt.Sprintf("capture: assemble %v: %v", ins, err))
	}
	return raw
}

// ringGeometry splits a ring of ringSize bytes into blocks of about
// blockTarget bytes, and each block into frames of a whole number of pages
// that hold snaplen bytes. A block holds at least one frame, and the ring
// at least two blocks.
func ringGeometry(snaplen, ringSize, pageSize int) (frameSize, blockSize, blocks int, err error) {
	if snaplen <= 0 || snaplen > maxCaptureLength {
		return 0, 0, 0, fmt.Errorf("capture: snapshot length %d is out of range; expected 1 to %d", snaplen, maxCaptureLength)
	}
	frameSize = (snaplen/pageSize + 1) * pageSize
	blockSize = frameSize * max(1, blockTarget/frameSize)
	blocks = ringSize / blockSize
	if blocks < 2 {
		return 0, 0, 0, fmt.Errorf("capture: ring size %d bytes is too small: it must hold two blocks of %d bytes; raise the ring size or lower the snapshot length", ringSize, blockSize)
	}
	return frameSize, blockSize, blocks, nil
}

// liveSource reads an AF_PACKET ring without copying: a packet's Data
// points into the ring until the next ReadPacket.
//
// Close may come from another goroutine while the reader still uses the
// last packet, so unmapping the ring is left to the reader's next
// ReadPacket whenever a packet is out. A Close while ReadPacket waits
// takes effect within the poll timeout.
type liveSource struct {
	tp      *afpacket.TPacket
	snaplen int
	closing atomic.Bool

	mu       sync.Mutex // held while ReadPacket waits for one poll timeout
	out      bool       // the last packet's Data still points into the ring
	released bool
}

// ReadPacket fills p with the next packet from the ring. It returns
// ErrTimeout when none came within the poll timeout, and ErrClosed once
// Close was called.
func (s *liveSource) ReadPacket(p *Packet) error {
	done, err := s.poll(p)
	if !done {
		return ErrTimeout
	}
	return err
}

// poll waits up to the poll timeout for one packet. It holds mu only for
// that wait, so Close and Stats get in between two waits.
func (s *liveSource) poll(p *Packet) (done bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out = false
	if s.closing.Load() {
		s.release()
		return true, ErrClosed
	}

	data, ci, err := s.tp.ZeroCopyReadPacketData()
	if errors.Is(err, afpacket.ErrTimeout) {
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("capture: read packet: %w", err)
	}
	*p = Packet{
		Data:          data,
		CaptureLength: ci.CaptureLength,
		WireLength:    ci.Length,
		LinkType:      LinkTypeEthernet,
		Timestamp:     ci.Timestamp.UnixNano(),
	}
	s.out = true
	return true, nil
}

// Close stops the capture. Called from another goroutine while a packet
// is out, it leaves releasing the ring to the reader's next ReadPacket.
func (s *liveSource) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.out {
		s.release()
	}
	return nil
}

func (s *liveSource) release() {
	if !s.released {
		s.tp.Close()
		s.released = true
	}
}

// Stats returns the kernel's counters since the capture started. Packets
// counts the packets that reached the ring, Drops those lost because it
// was full. It may wait up to one poll timeout for ReadPacket.
func (s *liveSource) Stats() (Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return Stats{}, ErrClosed
	}
	_, v3, err := s.tp.SocketStats()
	if err != nil {
		return Stats{}, fmt.Errorf("capture: read socket statistics: %w", err)
	}
	// The kernel's packet count includes the drops.
	return Stats{Packets: uint64(v3.Packets() - v3.Drops()), Drops: uint64(v3.Drops())}, nil
}
