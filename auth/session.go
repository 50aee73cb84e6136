package auth

import (
	"sync"
	"time"
)

// session is one browser login. The CSRF token is bound to it: a
// state-changing request with the session cookie must send the same token
// in the X-CSRF-Token header.
type session struct {
	user    string
	csrf    string
	expires time.Time
}

// sessions keeps the logins in memory; a restart logs everyone out.
type sessions struct {
	ttl time.Duration

	mu   sync.Mutex
	byID map[string]session
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, byID: map[string]session{}}
}

// create starts a session for user and returns its ID.
func (s *sessions) create(user string, now time.Time) (string, session) {
	id := randomString(32)
	sess := session{user: user, csrf: randomString(32), expires: now.Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, old := range s.byID {
		if !now.Before(old.expires) {
			delete(s.byID, k)
		}
	}
	s.byID[id] = sess
	return id, sess
}

// get returns the live session with the given ID.
func (s *sessions) get(id string, now time.Time) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byID[id]
	if !ok {
		return session{}, false
	}
	if !now.Before(sess.expires) {
		delete(s.byID, id)
		return session{}, false
	}
	return sess, true
}

func (s *sessions) delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// deleteUser ends every session of user, when the user is deleted or its
// password changes.
func (s *sessions) deleteUser(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, sess := range s.byID {
		if sess.user == user {
			delete(s.byID, k)
		}
	}
}
