package dpi

import (
	"testing"

	"github.com/flowlens/flowlens/record"
)

// TestFillLeavesOutEmptyBlocks checks that a block a dissector started but
// never filled is left out of the record, while a filled one is copied.
func TestFillLeavesOutEmptyBlocks(t *testing.T) {
	f := &Flow{Master: "HTTP", HTTP: &record.HTTP{}, SSH: &record.SSH{}, DHCP: &record.DHCP{Hostname: "printer"}}
	var r record.Flow
	f.Fill(&r)
	if r.HTTP != nil {
		t.Errorf("empty HTTP block copied into the record: %+v", *r.HTTP)
	}
	if r.SSH != nil {
		t.Errorf("empty SSH block copied into the record: %+v", *r.SSH)
	}
	if r.DHCP == nil || r.DHCP.Hostname != "printer" {
		t.Errorf("DHCP block = %+v, want the host name printer", r.DHCP)
	}
	f.DHCP.Hostname = "changed"
	if r.DHCP.Hostname != "printer" {
		t.Errorf("record's DHCP block follows the flow's: %q", r.DHCP.Hostname)
	}
}
