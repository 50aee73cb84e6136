package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/flowlens/flowlens/auth"
)

// adminPasswordEnv names the environment variable that sets the first
// admin password, as --admin-password does.
const adminPasswordEnv = "FLOWLENS_ADMIN_PASSWORD"

// accessOptions are the serve flags for login and TLS.
type accessOptions struct {
	login           bool
	adminPassword   string
	tlsCert, tlsKey string
}

func addAccessFlags(fs *flag.FlagSet, o *accessOptions) {
	fs.BoolVar(&o.login, "login", false, "require login even when --listen is a loopback address (it is always required on other addresses)")
	fs.StringVar(&o.adminPassword, "admin-password", "", "password of the first admin user, created when the users file has no user yet; also read from $"+adminPasswordEnv+"; generated and printed once when neither is set")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate `file` to serve HTTPS with (needs --tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key `file` of --tls-cert")
}

// check validates the TLS flags and loads the key pair, so that a wrong
// file stops serve before it starts capturing.
func (o *accessOptions) check() error {
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return errors.New("give both --tls-cert and --tls-key, or neither")
	}
	if o.tlsCert == "" {
		return nil
	}
	if _, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey); err != nil {
		return fmt.Errorf("load TLS certificate %q and key %q: %w", o.tlsCert, o.tlsKey, err)
	}
	return nil
}

// loginRequired reports whether the web UI at addr needs a login: always
// unless it listens on a loopback address only.
func loginRequired(addr string, forced bool) bool {
	if forced {
		return true
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// setUpAuth returns the login middleware for the web UI, or nil when
// login is not required. It creates the first admin user when the users
// file under dataDir has none, and prints a generated password once.
func setUpAuth(o *accessOptions, listen, dataDir string, logger *slog.Logger) (func(http.Handler) http.Handler, error) {
	if !loginRequired(listen, o.login) {
		return nil, nil
	}
	cfg := auth.DefaultConfig()
	cfg.File = filepath.Join(dataDir, "users.json")
	cfg.SecureCookies = o.tlsCert != ""
	a, err := auth.New(cfg, logger)
	if err != nil {
		return nil, err
	}
	password := o.adminPassword
	if password == "" {
		password = os.Getenv(adminPasswordEnv)
	}
	generated, err := a.EnsureAdmin(password)
	if err != nil {
		return nil, fmt.Errorf("create the first admin user: %w (set --admin-password or $%s)", err, adminPasswordEnv)
	}
	if generated != "" {
		// Printed, not logged, so that the password stays out of log files.
		fmt.Fprintf(os.Stderr, "flowlens: created user \"admin\" with password %s\nflowlens: it is shown only this once; its hash is stored in %s\n", generated, cfg.File)
	}
	if o.tlsCert == "" {
		logger.Warn("login is on without TLS: passwords and session cookies cross the network in clear text; give --tls-cert and --tls-key", "listen", listen)
	}
	return a.Middleware, nil
}
