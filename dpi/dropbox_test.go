package dpi

import "testing"

func TestDropboxCases(t *testing.T) {
	checkPayloadCases(t, Dropbox{}, "dropbox")
}

func FuzzDropbox(f *testing.F) {
	fuzzDissector(f, Dropbox{}, "dropbox")
}
