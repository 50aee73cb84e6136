package dpi

import "testing"

func TestTencentGamesCases(t *testing.T) {
	checkPayloadCases(t, TencentGames{}, "tencentgames")
}

func FuzzTencentGames(f *testing.F) {
	fuzzDissector(f, TencentGames{}, "tencentgames")
}
