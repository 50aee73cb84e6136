package dpi

import "testing"

func TestHeroesOfTheStormCases(t *testing.T) {
	checkPayloadCases(t, HeroesOfTheStorm{}, "hots")
}

func FuzzHeroesOfTheStorm(f *testing.F) {
	fuzzDissector(f, HeroesOfTheStorm{}, "hots")
}
