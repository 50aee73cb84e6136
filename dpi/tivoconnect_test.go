package dpi

import "testing"

func TestTiVoConnectCases(t *testing.T) {
	checkPayloadCases(t, TiVoConnect{}, "tivoconnect")
}

func FuzzTiVoConnect(f *testing.F) {
	fuzzDissector(f, TiVoConnect{}, "tivoconnect")
}
