package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles a user or an API token can have.
const (
	// RoleReadOnly may read every page and API but change nothing.
	RoleReadOnly = "read-only"
	// RoleAdmin may also manage users and API tokens.
	RoleAdmin = "admin"
)

// Password length limits. bcrypt reads at most 72 bytes of a password.
const (
	minPasswordLength = 12
	maxPasswordLength = 72
)

// tokenPrefix starts every API token, so that a leaked one is easy to
// recognise in logs and scanners.
const tokenPrefix = "flt_"

// User is one local account as the API lists it.
type User struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// Token is one API token as the API lists it; the secret itself is shown
// only once, when the token is created.
type Token struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
}

type storedUser struct {
	User
	PasswordHash string `json:"password_hash"`
}

type storedToken struct {
	Token
	// Hash is the SHA-256 of the token in hex. Tokens carry 256 random
	// bits, so a fast hash is enough to make the file useless to a reader.
	Hash string `json:"sha256"`
}

type fileContents struct {
	Users  []storedUser  `json:"users"`
	Tokens []storedToken `json:"tokens"`
}

// accounts keeps users and tokens in memory and in the users file.
type accounts struct {
	path string

	mu     sync.RWMutex
	users  map[string]storedUser
	tokens map[string]storedToken // by hash
}

// ErrNotFound is returned for a user or token that does not exist.
var ErrNotFound = errors.New("auth: not found")

func loadAccounts(path string) (*accounts, error) {
	a := &accounts{path: path, users: map[string]storedUser{}, tokens: map[string]storedToken{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth: read users file: %w", err)
	}
	var c fileContents
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("auth: invalid users file %q: %w", path, err)
	}
	for _, u := range c.Users {
		a.users[u.Name] = u
	}
	for _, t := range c.Tokens {
		a.tokens[t.Hash] = t
	}
	return a, nil
}

// save writes the file through a temporary file and a rename, so that a
// crash never leaves half a file. The caller holds mu.
func (a *accounts) save() error {
	var c fileContents
	for _, u := range a.users {
		c.Users = append(c.Users, u)
	}
	for _, t := range a.tokens {
		c.Tokens = append(c.Tokens, t)
	}
	sort.Slice(c.Users, func(i, j int) bool { return c.Users[i].Name < c.Users[j].Name })
	sort.Slice(c.Tokens, func(i, j int) bool { return c.Tokens[i].ID < c.Tokens[j].ID })
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("auth: encode users file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(a.path), 0o750); err != nil {
		return fmt.Errorf("auth: create users file directory: %w", err)
	}
	tmp := a.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("auth: write users file: %w", err)
	}
	if err := os.Rename(tmp, a.path); err != nil {
		return fmt.Errorf("auth: replace users file: %w", err)
	}
	return nil
}

func validRole(role string) bool { return role == RoleReadOnly || role == RoleAdmin }

func checkPassword(password string) error {
	if len(password) < minPasswordLength {
		return fmt.Errorf("auth: password too short: use at least %d characters", minPasswordLength)
	}
	if len(password) > maxPasswordLength {
		return fmt.Errorf("auth: password too long: use at most %d bytes", maxPasswordLength)
	}
	return nil
}

func checkUserName(name string) error {
	if name == "" || len(name) > 64 {
		return errors.New("auth: invalid user name: use 1 to 64 characters")
	}
	for _, c := range name {
		if c <= ' ' || c == 0x7f {
			return fmt.Errorf("auth: invalid user name %q: spaces and control characters are not allowed", name)
		}
	}
	return nil
}

// setUser creates a user or replaces its password and role.
func (a *accounts) setUser(name, password, role string) error {
	if err := checkUserName(name); err != nil {
		return err
	}
	if !validRole(role) {
		return fmt.Errorf("auth: invalid role %q: use %q or %q", role, RoleReadOnly, RoleAdmin)
	}
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("auth: hash password: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if role != RoleAdmin && a.isLastAdmin(name) {
		return ErrLastAdmin
	}
	a.users[name] = storedUser{User: User{Name: name, Role: role}, PasswordHash: string(hash)}
	return a.save()
}

// ErrLastAdmin is returned for a change that would leave no admin user
// to manage the others.
var ErrLastAdmin = errors.New("auth: the last admin user cannot be removed or made read-only: make another user admin first")

// isLastAdmin reports whether name is the only admin. The caller holds mu.
func (a *accounts) isLastAdmin(name string) bool {
	if a.users[name].Role != RoleAdmin {
		return false
	}
	for other, u := range a.users {
		if other != name && u.Role == RoleAdmin {
			return false
		}
	}
	return true
}

// dummyHash is compared against when a login names an unknown user, so
// that the response takes as long as for a known one.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("flowlens-no-such-user"), bcrypt.DefaultCost)

// verify returns the user whose name and password match.
func (a *accounts) verify(name, password string) (User, bool) {
	a.mu.RLock()
	u, ok := a.users[name]
	a.mu.RUnlock()
	hash := dummyHash
	if ok {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !ok {
		return User{}, false
	}
	return u.User, true
}

func (a *accounts) deleteUser(name string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.users[name]; !ok {
		return ErrNotFound
	}
	if a.isLastAdmin(name) {
		return ErrLastAdmin
	}
	delete(a.users, name)
	return a.save()
}

// role returns the current role of a user, and false once it is deleted.
func (a *accounts) role(name string) (string, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	u, ok := a.users[name]
	return u.Role, ok
}

func (a *accounts) listUsers() []User {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]User, 0, len(a.users))
	for _, u := range a.users {
		out = append(out, u.User)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (a *accounts) userCount() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.users)
}

// createToken makes a token and returns its secret, which is stored only
// as a hash.
func (a *accounts) createToken(name, role string, now time.Time) (Token, string, error) {
	if !validRole(role) {
		return Token{}, "", fmt.Errorf("auth: invalid role %q: use %q or %q", role, RoleReadOnly, RoleAdmin)
	}
	if name == "" || len(name) > 100 {
		return Token{}, "", errors.New("auth: invalid token name: use 1 to 100 characters")
	}
	secret := tokenPrefix + randomString(32)
	t := storedToken{Token: Token{ID: randomHex(8), Name: name, Role: role, Created: now.UTC()}, Hash: hashToken(secret)}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokens[t.Hash] = t
	if err := a.save(); err != nil {
		delete(a.tokens, t.Hash)
		return Token{}, "", err
	}
	return t.Token, secret, nil
}

// lookupToken returns the token whose secret is secret.
func (a *accounts) lookupToken(secret string) (Token, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	t, ok := a.tokens[hashToken(secret)]
	return t.Token, ok
}

func (a *accounts) deleteToken(id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for h, t := range a.tokens {
		if t.ID == id {
			delete(a.tokens, h)
			return a.save()
		}
	}
	return ErrNotFound
}

func (a *accounts) listTokens() []Token {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]Token, 0, len(a.tokens))
	for _, t := range a.tokens {
		out = append(out, t.Token)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// randomString returns n random bytes in unpadded URL-safe base64.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never returns an error since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
