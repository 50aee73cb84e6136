package dpi

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"strings"

	"github.com/flowlens/flowlens/record"
)

// SSH dissects the clear-text start of an SSH connection (RFC 4253): the
// protocol version exchange of section 4.2 and the SSH_MSG_KEXINIT of
// section 7.1 that each side sends next, in the binary packet format of
// section 6. From the two KEXINITs it computes the HASSH fingerprints as
// Salesforce defines them: the MD5 of "kex;encryption;mac;compression",
// taken from the client-to-server lists of the client's KEXINIT (HASSH)
// and the server-to-client lists of the server's (HASSH-server).
type SSH struct{}

// Name returns "SSH".
func (SSH) Name() string { return "SSH" }

const (
	sshScratchKey = "SSH"
	// sshMaxBanner is the maximum length of the version line, CRLF
	// included (RFC 4253 section 4.2).
	sshMaxBanner = 255
	// sshMaxPreBanner bounds the lines a server may send before its
	// version line.
	sshMaxPreBanner = 16
	// sshMaxPacket is the largest binary packet read; RFC 4253 section
	// 6.1 requires implementations to handle 35000 bytes.
	sshMaxPacket = 35000
	// sshMsgKexInit is SSH_MSG_KEXINIT (RFC 4253 section 12).
	sshMsgKexInit = 20
)

// sshState is a flow's progress per direction.
type sshState struct {
	banner  [2]bool
	kexInit [2]bool
	// kexOff is the stream offset of the first binary packet.
	kexOff [2]int
}

// Inspect reads each side's version line, then its KEXINIT.
func (s SSH) Inspect(f *Flow, p *Packet) Verdict {
	if f.Protocol != ipProtocolTCP {
		return NotMine
	}
	st := Scratch[sshState](f, sshScratchKey)
	if f.Master == "" && !sshCouldBe(f.Stream(ClientToServer)) && !sshCouldBe(f.Stream(ServerToClient)) {
		return NotMine
	}
	for _, d := range [...]Direction{ClientToServer, ServerToClient} {
		if !st.banner[d] {
			sshReadBanner(f, st, d)
		}
		if st.banner[d] && !st.kexInit[d] {
			sshReadKexInit(f, st, d)
		}
	}
	switch {
	case f.Master == "":
		return NeedMore
	case st.kexInit[0] && st.kexInit[1]:
		return Done
	case st.banner[0] && st.banner[1] && sshVersion1Only(f.SSH):
		return Done // SSH 1 has no KEXINIT
	}
	return Claimed
}

// sshCouldBe reports whether a stream starts with "SSH-" or, while
// shorter, with a prefix of it.
func sshCouldBe(buf []byte) bool {
	const magic = "SSH-"
	n := min(len(buf), len(magic))
	return n > 0 && string(buf[:n]) == magic[:n]
}

// sshReadBanner finds a direction's version line. The server may send
// other lines first (RFC 4253 section 4.2); the client may not.
func sshReadBanner(f *Flow, st *sshState, d Direction) {
	buf := f.Stream(d)
	off := 0
	for range sshMaxPreBanner {
		line, ok := httpLine(buf, off)
		if !ok || len(line) > sshMaxBanner {
			return
		}
		lineEnd := off + len(line) + httpLineEndLen(buf, off+len(line))
		if bytes.HasPrefix(line, []byte("SSH-")) {
			if !sshBannerValid(line) {
				return
			}
			sshSetBanner(f, d, string(line))
			st.banner[d], st.kexOff[d] = true, lineEnd
			return
		}
		if d == ClientToServer {
			return
		}
		off = lineEnd
	}
}

// sshBannerValid checks "SSH-protoversion-softwareversion" with printable
// US-ASCII characters.
func sshBannerValid(line []byte) bool {
	rest := line[len("SSH-"):]
	dash := bytes.IndexByte(rest, '-')
	if dash <= 0 || dash == len(rest)-1 {
		return false
	}
	for _, c := range line {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func sshSetBanner(f *Flow, d Direction, banner string) {
	if f.Master == "" {
		f.SetResult("SSH", "")
	}
	if f.SSH == nil {
		f.SSH = &record.SSH{}
	}
	if d == ClientToServer {
		f.SSH.ClientBanner = banner
		f.Info = banner
		return
	}
	f.SSH.ServerBanner = banner
}

// sshVersion1Only reports whether either side speaks only SSH 1, so that
// no KEXINIT will follow. "SSH-1.99" announces SSH 2 support.
func sshVersion1Only(r *record.SSH) bool {
	v1 := func(b string) bool {
		return strings.HasPrefix(b, "SSH-1.") && !strings.HasPrefix(b, "SSH-1.99-")
	}
	return r != nil && (v1(r.ClientBanner) || v1(r.ServerBanner))
}

// sshReadKexInit reads the binary packet after the version line (RFC 4253
// section 6) and, if it is a KEXINIT, computes the direction's HASSH.
func sshReadKexInit(f *Flow, st *sshState, d Direction) {
	c := wireCursor{buf: f.Stream(d), off: st.kexOff[d]}
	length, ok := c.u32()
	if !ok || length < 2 || length > sshMaxPacket {
		return
	}
	packet, ok := c.bytes(int(length))
	if !ok {
		return
	}
	pc := wireCursor{buf: packet}
	padding, _ := pc.u8()
	payload, ok := pc.bytes(int(length) - 1 - int(padding))
	if !ok || len(payload) == 0 || payload[0] != sshMsgKexInit {
		return
	}
	lists, ok := sshKexInitLists(payload[1:])
	if !ok {
		return
	}
	st.kexInit[d] = true
	f.SSH.HASSH, f.SSH.HASSHServer = sshHASSH(d, lists, f.SSH.HASSH, f.SSH.HASSHServer)
}

// sshKexInitLists returns the ten name-lists of a KEXINIT payload after
// its message number (RFC 4253 section 7.1): kex, host key, encryption,
// MAC and compression (each client-to-server then server-to-client), and
// languages both ways.
func sshKexInitLists(payload []byte) ([10][]byte, bool) {
	var lists [10][]byte
	c := wireCursor{buf: payload}
	if !c.skip(16) { // cookie
		return lists, false
	}
	for i := range lists {
		n, ok := c.u32()
		if !ok {
			return lists, false
		}
		if lists[i], ok = c.bytes(int(n)); !ok {
			return lists, false
		}
	}
	return lists, true
}

// sshHASSH computes the fingerprint of direction d and returns it in its
// place beside the other direction's unchanged value.
func sshHASSH(d Direction, lists [10][]byte, client, server string) (string, string) {
	const kex, encC2S, encS2C, macC2S, macS2C, compC2S, compS2C = 0, 2, 3, 4, 5, 6, 7
	parts := [4][]byte{lists[kex], lists[encC2S], lists[macC2S], lists[compC2S]}
	if d == ServerToClient {
		parts = [4][]byte{lists[kex], lists[encS2C], lists[macS2C], lists[compS2C]}
	}
	sum := md5.Sum(bytes.Join(parts[:], []byte(";")))
	if d == ClientToServer {
		return hex.EncodeToString(sum[:]), server
	}
	return client, hex.EncodeToString(sum[:])
}
