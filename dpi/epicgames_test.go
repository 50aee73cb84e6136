package dpi

import "testing"

func TestEpicGamesCases(t *testing.T) {
	checkPayloadCases(t, EpicGames{}, "epicgames")
}

func FuzzEpicGames(f *testing.F) {
	fuzzDissector(f, EpicGames{}, "epicgames")
}
