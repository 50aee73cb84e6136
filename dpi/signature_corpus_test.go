package dpi

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/dpi/internal/pcapflows"
)

// signatureDissectors are the dissectors that recognise a protocol from
// fixed bytes in its first packets, in the order the registry should list
// them: strict checks first, checks that lean on a port or on several
// packets last.
var signatureDissectors = []Dissector{
	Bitcoin{}, Monero{}, Mining{}, Elasticsearch{}, Xiaomi{}, HPVirtGrp{}, Spotify{},
	MsSQLTDS{}, NFS{}, TPLinkSHP{}, BJNP{}, BACnet{}, ControllerAreaNetwork{}, RipeAtlas{},
	ZUG{}, CryNetwork{}, RiotGames{}, KCP{}, RX{}, HSRP{}, WSD{}, NATPMP{}, RMCP{}, NTP{},
	DNP3{}, IEC60870{}, WireGuard{}, PostgreSQL{}, MongoDB{}, Nano{}, Yojimbo{},
}

// signatureScore counts one protocol's results over the corpus.
type signatureScore struct {
	truth, claimed      int
	misses, falseClaims []string
}

// TestCorpusSignatureDissectors replays every flow of the corpus through
// signatureDissectors alone and reports, per protocol, how many of the
// flows nDPI named by DPI they name alike, and how many flows nDPI named
// otherwise they claim. It fails on a false claim.
func TestCorpusSignatureDissectors(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("set -corpus to the directory of nDPI's reference corpus to measure the signature dissectors")
	}
	truth := readTruth(t, filepath.Join(*corpusDir, "truth.jsonl"))
	pcaps, err := filepath.Glob(filepath.Join(*corpusDir, "pcap", "*"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, d := range signatureDissectors {
		names[d.Name()] = true
	}
	scores := map[string]*signatureScore{}
	score := func(name string) *signatureScore {
		if scores[name] == nil {
			scores[name] = &signatureScore{}
		}
		return scores[name]
	}
	for _, path := range pcaps {
		flows, err := pcapflows.Read(path)
		if err != nil {
			t.Logf("skip %s: %v", filepath.Base(path), err)
			continue
		}
		for _, cf := range flows {
			key := flowKeyString(filepath.Base(path), cf.L4, cf.Client, cf.Server)
			if len(truth[key]) == 0 {
				continue
			}
			tf := truth[key][0]
			f := replay(cf, signatureDissectors)
			switch {
			case names[tf.Master] && tf.Confidence == "dpi":
				s := score(tf.Master)
				s.truth++
				if f.Master == tf.Master {
					s.claimed++
				} else {
					s.misses = append(s.misses, fmt.Sprintf("%s: got %q", key, f.Master))
				}
			case f.Master != "" && f.Master != tf.Master:
				s := score(f.Master)
				s.falseClaims = append(s.falseClaims, fmt.Sprintf("%s: nDPI %q", key, tf.Master))
			}
		}
	}
	reportSignatureScores(t, scores)
}

func reportSignatureScores(t *testing.T, scores map[string]*signatureScore) {
	var names []string
	for n := range scores {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := scores[n]
		t.Logf("%-24s nDPI flows %3d, named alike %3d, false claims %3d", n, s.truth, s.claimed, len(s.falseClaims))
		for _, m := range s.misses {
			t.Logf("    missed %s", m)
		}
		if len(s.falseClaims) > 0 {
			t.Errorf("%s claims flows nDPI names otherwise:\n    %s", n, strings.Join(s.falseClaims, "\n    "))
		}
	}
}
