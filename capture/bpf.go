package capture

import (
	"errors"
	"fmt"
	"io"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"golang.org/x/net/bpf"
)

// CompileFilter compiles expr, a filter in tcpdump's syntax (pcap-filter(7)),
// to classic BPF with libpcap's compiler, for packets of the given link
// type captured with at most snaplen bytes. An empty expr matches every
// packet and compiles to a one-instruction program.
func CompileFilter(expr string, link LinkType, snaplen int) ([]bpf.RawInstruction, error) {
	compiled, err := pcap.CompileBPFFilter(dataLinkType(link), snaplen, expr)
	if err != nil {
		return nil, fmt.Errorf("capture: invalid filter %q for link type %d: %w", expr, link, err)
	}

	program := make([]bpf.RawInstruction, len(compiled))
	for i, ins := range compiled {
		program[i] = bpf.RawInstruction{Op: ins.Code, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	return program, nil
}

// dataLinkType maps a LINKTYPE_ value to the DLT_ value that libpcap's
// compiler takes. They differ only for raw IP, whose DLT_RAW is 12 on
// every platform but OpenBSD (14); flowlens captures live on Linux.
func dataLinkType(link LinkType) layers.LinkType {
	if link == LinkTypeRaw {
		return 12
	}
	return layers.LinkType(link)
}

// filterVM compiles expr for one link type into a BPF virtual machine.
func filterVM(expr string, link LinkType) (*bpf.VM, error) {
	program, err := CompileFilter(expr, link, maxCaptureLength)
	if err != nil {
		return nil, err
	}
	instructions, ok := bpf.Disassemble(program)
	if !ok {
		return nil, fmt.Errorf("capture: filter %q for link type %d uses BPF extensions that only the kernel runs", expr, link)
	}
	vm, err := bpf.NewVM(instructions)
	if err != nil {
		return nil, fmt.Errorf("capture: filter %q for link type %d: %w", expr, link, err)
	}
	return vm, nil
}

// WithFilter returns a Source that yields only the packets of src that
// match expr, a filter in tcpdump's syntax, run in a BPF virtual machine
// over each packet's captured bytes. It is meant for file sources: a live
// source filters in the kernel through LiveConfig.Filter.
//
// The filter is compiled for each link type the first time a packet of it
// arrives. WithFilter reads the first packet to compile the filter for its
// link type, so a syntax error is reported here. The first packet stays
// valid until the next ReadPacket, because sources reuse their buffer only
// then. WithFilter does not close src when it fails.
func WithFilter(src Source, expr string) (Source, error) {
	f := &filteredSource{src: src, expr: expr, vms: make(map[LinkType]*bpf.VM)}
	f.pendingErr = src.ReadPacket(&f.pending)
	if f.pendingErr != nil {
		if errors.Is(f.pendingErr, io.EOF) {
			if _, err := filterVM(expr, LinkTypeEthernet); err != nil {
				return nil, err
			}
		}
		return f, nil
	}

	if _, err := f.vm(f.pending.LinkType); err != nil {
		return nil, err
	}
	f.hasPending = true
	return f, nil
}

// filteredSource drops the packets that its filter rejects.
type filteredSource struct {
	src        Source
	expr       string
	vms        map[LinkType]*bpf.VM
	pending    Packet
	pendingErr error
	hasPending bool
}

// ReadPacket fills p with the next packet that matches the filter.
func (f *filteredSource) ReadPacket(p *Packet) error {
	if err := f.pendingErr; err != nil {
		f.pendingErr = nil
		return err
	}
	if f.hasPending {
		f.hasPending = false
		*p = f.pending
		if f.matches(p) {
			return nil
		}
	}

	for {
		if err := f.src.ReadPacket(p); err != nil {
			return err
		}
		vm, err := f.vm(p.LinkType)
		if err != nil {
			return err
		}
		if accepts(vm, p) {
			return nil
		}
	}
}

// matches runs the filter over p. The filter was compiled for p's link
// type when the packet was first read.
func (f *filteredSource) matches(p *Packet) bool {
	return accepts(f.vms[p.LinkType], p)
}

// accepts reports whether vm keeps any bytes of p. Run fails only on an
// instruction it does not know, and filterVM rejects those programs.
func accepts(vm *bpf.VM, p *Packet) bool {
	keep, err := vm.Run(p.Data)
	return err == nil && keep > 0
}

// vm returns the filter compiled for link, compiling it on first use.
func (f *filteredSource) vm(link LinkType) (*bpf.VM, error) {
	if vm, ok := f.vms[link]; ok {
		return vm, nil
	}
	vm, err := filterVM(f.expr, link)
	if err != nil {
		return nil, err
	}
	f.vms[link] = vm
	return vm, nil
}

// Close closes the underlying source.
func (f *filteredSource) Close() error {
	return f.src.Close()
}
