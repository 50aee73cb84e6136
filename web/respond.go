package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/geo"
)

// localOnly is the Locator used without a geo database.
type localOnly struct{}

func (localOnly) Locate(addr netip.Addr) geo.Location {
	return geo.Location{Local: geo.IsLocal(addr)}
}

// apiError is the JSON body of every failed API request.
type apiError struct {
	Error string `json:"error"`
}

func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.logger.Warn("web: write response failed", "path", r.URL.Path, "err", err)
	}
}

func (s *server) writeError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if err := json.NewEncoder(w).Encode(apiError{Error: msg}); err != nil {
		s.logger.Warn("web: write error response failed", "path", r.URL.Path, "err", err)
	}
}

// backendError reports a failed store call with its message, so that a bad
// filter can be corrected: status 400 for an InvalidRequestError, else 503,
// for a store that failed or cannot be reached. Failures are logged with
// the request path.
func (s *server) backendError(w http.ResponseWriter, r *http.Request, err error) {
	if invalid := (*InvalidRequestError)(nil); errors.As(err, &invalid) {
		s.writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s.logger.Warn("web: store request failed", "path", r.URL.Path, "err", err)
	s.writeError(w, r, http.StatusServiceUnavailable, "flow store failed: "+err.Error())
}

// intParam reads a positive integer query parameter, or def when absent.
func intParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, &paramError{name: name, value: v, want: "an integer from 1 to " + strconv.Itoa(max)}
	}
	return n, nil
}

// descParam reads the order parameter: true for desc, the default, false
// for asc.
func descParam(r *http.Request) (bool, error) {
	switch order := r.URL.Query().Get("order"); order {
	case "", "desc":
		return true, nil
	case "asc":
		return false, nil
	default:
		return false, &paramError{name: "order", value: order, want: "asc or desc"}
	}
}

// timeParam reads an RFC 3339 time or Unix seconds, or the zero time when
// absent. The time must fall in the years 1 to 9999, which JSON can carry
// back in a response, so Unix seconds far out of that range are rejected
// rather than wrapped around.
func timeParam(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := ParseTime(v)
	if err != nil {
		return time.Time{}, &paramError{name: name, value: v, want: timeForms}
	}
	return t, nil
}

// timeForms names the forms ParseTime takes, for error messages.
const timeForms = "an RFC 3339 time (2024-05-01T12:00:00Z), a date (2024-05-01) or Unix seconds, in the years 1 to 9999"

// minTime and maxTime bound the times that ParseTime takes.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// ParseTime reads a time bound as the API and the query command take it:
// RFC 3339, a date and time or a date without a zone (taken as UTC), or
// Unix seconds.
func ParseTime(s string) (time.Time, error) {
	var t time.Time
	var err error
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		sec, serr := strconv.ParseInt(s, 10, 64)
		if serr != nil || sec < minTime.Unix() || sec > maxTime.Unix() {
			return time.Time{}, fmt.Errorf("invalid time %q: give %s", s, timeForms)
		}
		t = time.Unix(sec, 0)
	}
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, fmt.Errorf("invalid time %q: give %s", s, timeForms)
	}
	return t.UTC(), nil
}

// paramError is an invalid query parameter.
type paramError struct {
	name, value, want string
}

func (e *paramError) Error() string {
	return "invalid " + e.name + " " + strconv.Quote(e.value) + ": want " + e.want
}
