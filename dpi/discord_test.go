package dpi

import "testing"

func TestDiscordCases(t *testing.T) {
	checkPayloadCases(t, Discord{}, "discord")
}

func FuzzDiscord(f *testing.F) {
	fuzzDissector(f, Discord{}, "discord")
}
