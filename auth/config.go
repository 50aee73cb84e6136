package auth

import "time"

// Config holds the settings of the login layer.
type Config struct {
	// File is the JSON file that stores users and API tokens, usually
	// users.json under the data directory. It is created with mode 0600.
	File string
	// SecureCookies marks the session cookie Secure even on requests that
	// did not arrive over TLS, for a server behind a TLS-terminating proxy.
	// Requests that arrive over TLS always get a Secure cookie.
	SecureCookies bool
	// SessionTTL is how long a session lasts after login.
	SessionTTL time.Duration
	// MaxFailures is how many failed logins one client address, or one
	// user name, may make within FailureWindow before further attempts
	// are rejected with 429 Too Many Requests until the window ends.
	MaxFailures int
	// FailureWindow is the period over which failed logins are counted.
	FailureWindow time.Duration
}

// DefaultConfig returns the defaults: sessions of 12 hours, and at most 5
// failed logins per client address and per user name in 5 minutes.
func DefaultConfig() Config {
	return Config{
		SessionTTL:    12 * time.Hour,
		MaxFailures:   5,
		FailureWindow: 5 * time.Minute,
	}
}

func (c *Config) setDefaults() {
	d := DefaultConfig()
	if c.SessionTTL <= 0 {
		c.SessionTTL = d.SessionTTL
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = d.MaxFailures
	}
	if c.FailureWindow <= 0 {
		c.FailureWindow = d.FailureWindow
	}
}
