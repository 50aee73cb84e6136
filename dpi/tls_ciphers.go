package dpi

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// tlsCiphersCSV is IANA's "TLS Cipher Suites" registry as "value,description"
// lines, after one comment line and one header line.
//
//go:embed data/tls_ciphers.csv
var tlsCiphersCSV string

var (
	cipherNamesOnce sync.Once
	cipherNames     map[uint16]string
)

// cipherSuiteName returns the IANA name of a cipher suite, or for a value
// the registry does not name, "0X" and four upper-case hex digits as nDPI
// prints it.
func cipherSuiteName(v uint16) string {
	cipherNamesOnce.Do(func() { cipherNames = parseCipherNames(tlsCiphersCSV) })
	if name, ok := cipherNames[v]; ok {
		return name
	}
	return fmt.Sprintf("0X%04X", v)
}

// parseCipherNames reads the embedded registry. Its lines are checked by
// the package tests, so a malformed line is skipped here.
func parseCipherNames(csv string) map[uint16]string {
	names := make(map[uint16]string, 400)
	for _, line := range strings.Split(csv, "\n") {
		value, name, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok || !strings.HasPrefix(value, "0x") {
			continue
		}
		v, err := strconv.ParseUint(value[2:], 16, 16)
		if err != nil {
			continue
		}
		names[uint16(v)] = name
	}
	return names
}
