package dpi

import (
	"path/filepath"
	"testing"
)

// batchDDissectors lists the dissectors of this group in registry order.
func batchDDissectors() []Dissector {
	return []Dissector{
		IRC{}, H323{}, Viber{}, LineCall{}, TeamSpeak{},
		TFTP{}, UFTP{}, Softether{}, Telnet{}, SOCKS{}, TeamViewer{}, Usenet{},
		LDAP{}, Collectd{}, UBNTAC2{}, Thrift{},
		MQTT{}, SOMEIP{}, COAP{}, Modbus{},
		AVAST{}, Nintendo{}, Zoom{}, WorldOfWarcraft{}, GaijinEntertainment{},
	}
}

// TestCorpusBatchDDissectors replays every flow of the reference corpus
// through this group's dissectors alone and checks, per protocol, that
// most of nDPI's flows are found and that few other flows are claimed.
// It runs only when -payload-corpus names the corpus directory.
func TestCorpusBatchDDissectors(t *testing.T) {
	if *payloadCorpusDir == "" {
		t.Skip("set -payload-corpus=DIR to replay nDPI's reference captures")
	}
	ds := batchDDissectors()
	mine := map[string]bool{}
	for _, d := range ds {
		mine[d.Name()] = true
	}
	truth := loadCorpusTruth(t, filepath.Join(*payloadCorpusDir, "truth.jsonl"))
	scores := map[string]*protoScore{}
	score := func(name string) *protoScore {
		if scores[name] == nil {
			scores[name] = &protoScore{}
		}
		return scores[name]
	}
	corpusKnownGaps["TeamSpeak"] = corpusKnownGap{1, 0, "one flow to port 2010 opens with four bytes " +
		"(01 80 84 01) of an undocumented exchange"}
	corpusKnownGaps["GaijinEntertainment"] = corpusKnownGap{2, 0, "one flow to port 20021 carries " +
		"an undocumented binary protocol, not the metric lines"}
	matched := replayCorpusScores(t, newEngineWith(ds), truth, mine, score)
	t.Logf("%d capture flows matched a truth flow", matched)
	reportScores(t, scores)
}
