package risk

import "strings"

// shellCommands are Unix commands that command-injection payloads run to
// probe a host, read its files or fetch and start a second stage.
var shellCommands = map[string]bool{
	"cat": true, "ls": true, "id": true, "whoami": true, "uname": true,
	"echo": true, "wget": true, "curl": true, "nc": true, "ncat": true,
	"netcat": true, "bash": true, "sh": true, "zsh": true, "ping": true,
	"nslookup": true, "chmod": true, "rm": true, "ps": true, "pwd": true,
	"ifconfig": true, "head": true, "tail": true, "telnet": true,
	"tftp": true, "python": true, "perl": true, "powershell": true,
}

// sensitiveFiles are files whose path in a parameter value shows an
// attempt to read account data through path traversal or a file
// parameter.
var sensitiveFiles = []string{"/etc/passwd", "/etc/shadow", "/etc/master.passwd"}

// shellWord is one word of a value read as a shell command line, with
// whether a command separator (";", "|", "&", "`", "$(", a newline)
// came right before it or right after it.
type shellWord struct {
	text        string
	afterSep    bool
	beforeSep   bool
	commandSlot bool
}

// looksLikeCommandInjection reports a value that reads as a shell command
// line running one of shellCommands, or that names a file in
// sensitiveFiles. A command counts when a separator comes before it and
// an argument after it (x;cat f, ";echo ”"), when it is given by path and
// a separator follows it (../../usr/bin/id|), or when it opens the value
// with an option, path or quoted argument (ls -al, cat /etc/hosts). A
// bare word such as "echo" or "id", even after a separator, does not
// count, because search queries and identifiers carry such words.
func looksLikeCommandInjection(v string) bool {
	if containsAny(v, sensitiveFiles...) {
		return true
	}
	words := shellWords(v)
	for i, w := range words {
		if !w.commandSlot || !shellCommands[commandName(w.text)] {
			continue
		}
		hasArg := i+1 < len(words) && !words[i+1].commandSlot
		switch {
		case w.afterSep && hasArg:
			return true
		case w.beforeSep && strings.Contains(w.text, "/"):
			return true
		case hasArg && looksLikeArgument(words[i+1].text):
			return true
		}
	}
	return false
}

// shellWords splits v at blanks and separators, strips quotes, and marks
// the words in command position: the first word and the first after each
// separator.
func shellWords(v string) []shellWord {
	var out []shellWord
	var cur strings.Builder
	slot, sepBefore, quoted := true, false, false
	flush := func() {
		if cur.Len() == 0 && !quoted {
			return
		}
		out = append(out, shellWord{text: cur.String(), afterSep: sepBefore, commandSlot: slot})
		cur.Reset()
		slot, sepBefore, quoted = false, false, false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ';' || c == '|' || c == '&' || c == '`' || c == '\n' || c == '$' && i+1 < len(v) && v[i+1] == '(':
			flush()
			if n := len(out); n > 0 {
				out[n-1].beforeSep = true
			}
			slot, sepBefore = true, true
		case c == ' ' || c == '\t':
			flush()
		case c == '"' || c == '\'':
			// Quotes group a word but are no part of it; an empty pair
			// ('') is still a word.
			quoted = true
		case c == '(' || c == ')':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// commandName returns the file name of a command word given by path
// (/usr/bin/id or ../../bin/cat).
func commandName(w string) string {
	if i := strings.LastIndexByte(w, '/'); i >= 0 {
		return w[i+1:]
	}
	return w
}

// looksLikeArgument reports an option (-al) or a file path (/etc/hosts,
// ./x, ~/x), the arguments that injected commands take.
func looksLikeArgument(w string) bool {
	return strings.HasPrefix(w, "-") || strings.HasPrefix(w, "/") || strings.HasPrefix(w, ".") || strings.HasPrefix(w, "~")
}
