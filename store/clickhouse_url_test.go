package store

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestClickHouseURLKeepsParameters checks the request URL built from a
// configured URL that has parameters of its own. The HTTP server only
// records the request; it is not ClickHouse.
func TestClickHouseURLKeepsParameters(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r }))
	defer srv.Close()

	c := &ClickHouse{cfg: ClickHouseConfig{Database: "flows"}, client: srv.Client()}
	if _, err := c.exec(context.Background(), srv.URL+"?user=bob", "SELECT 1", nil); err != nil {
		t.Fatal(err)
	}
	if got.URL.Path != "/" {
		t.Errorf("path = %q, want /", got.URL.Path)
	}
	if q := got.URL.Query(); q.Get("user") != "bob" || q.Get("database") != "flows" {
		t.Errorf("query = %q, want user=bob and database=flows", got.URL.RawQuery)
	}
}

func TestClickHouseErrorsHidePassword(t *testing.T) {
	// Nothing listens on port 1 of 127.0.0.1, so opening fails.
	_, err := OpenClickHouse(context.Background(), ClickHouseConfig{URL: "http://flowlens:s3cret@127.0.0.1:1/"})
	if err == nil {
		t.Fatal("open on a closed port: no error")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q shows the password", err)
	}
}
