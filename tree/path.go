package tree

import (
	"strings"
	"unicode/utf8"
)

// The system subtree every ZooKeeper server has from the start.
const (
	PathZookeeper = "/zookeeper"
	PathQuota     = "/zookeeper/quota"
	PathConfig    = "/zookeeper/config"
)

// pathLengthMax bounds a path: the wire frame caps a request at
// jute.maxbuffer, so no longer path can reach a real server.
const pathLengthMax = 1 << 20

// ValidatePath applies ZooKeeper's PathUtils.validatePath: absolute, no
// empty component, no trailing slash except the root, no "." or ".."
// component, no NUL, and none of the control, surrogate, private-use or
// specials characters Java rejects. Java checks UTF-16 code units, so
// any rune outside the Basic Multilingual Plane (a surrogate pair) and any
// invalid UTF-8 (decoded by Java as U+FFFD) are rejected too.
func ValidatePath(path string) error {
	if len(path) == 0 || path[0] != '/' || len(path) > pathLengthMax {
		return ErrBadArguments
	}
	if len(path) == 1 {
		return nil
	}
	if path[len(path)-1] == '/' {
		return ErrBadArguments
	}
	for _, component := range strings.Split(path[1:], "/") {
		if component == "" || component == "." || component == ".." {
			return ErrBadArguments
		}
	}
	for i, r := range path {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(path[i:]); size <= 1 {
				return ErrBadArguments
			}
		}
		if !pathRuneAllowed(r) {
			return ErrBadArguments
		}
	}
	return nil
}

func pathRuneAllowed(r rune) bool {
	switch {
	case r == 0:
		return false
	case r <= 0x1f:
		return false
	case r >= 0x7f && r <= 0x9f:
		return false
	case r >= 0xd800 && r <= 0xf8ff:
		return false
	case r >= 0xfff0:
		return false
	}
	return true
}

// splitPath returns ZooKeeper's parent and base name: everything before
// the last slash ("" for a child of the root, as DataTree keys it) and
// after it. ok is false without a slash.
func splitPath(path string) (parent, base string, ok bool) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "", "", false
	}
	return path[:i], path[i+1:], true
}

// lookupKey maps ZooKeeper's two names of the root ("" and "/") to one.
func lookupKey(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// isSpecialPath lists the nodes a delete refuses with BadArguments.
func isSpecialPath(path string) bool {
	return path == "/" || path == PathZookeeper || path == PathQuota || path == PathConfig
}

// joinPath builds a child's absolute path.
func joinPath(parent, base string) string {
	if parent == "/" {
		return "/" + base
	}
	return parent + "/" + base
}
