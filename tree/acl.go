package tree

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Perms are ZooKeeper's permission bits.
const (
	PermRead   int32 = 1
	PermWrite  int32 = 2
	PermCreate int32 = 4
	PermDelete int32 = 8
	PermAdmin  int32 = 16
	PermAll    int32 = 31
)

// ID is an authenticated identity or an ACL's subject: a scheme and an id
// ("world"/"anyone", "digest"/"user:hash", "ip"/"10.0.0.0/8", "auth"/"").
type ID struct {
	Scheme string
	ID     string
}

// ACL grants Perms to an ID.
type ACL struct {
	Perms int32
	ID    ID
}

// aclEntriesMax bounds an ACL list: a real request cannot carry more in
// one jute.maxbuffer frame (each entry is at least 12 bytes).
const aclEntriesMax = 1 << 17

// WorldACL is ZooKeeper's OPEN_ACL_UNSAFE.
func WorldACL(perms int32) []ACL {
	return []ACL{{Perms: perms, ID: ID{Scheme: "world", ID: "anyone"}}}
}

// DigestID is the identity addAuth("digest", "user:password") gives a
// session, and the id a digest ACL names: user:base64(sha1(user:password)).
func DigestID(user, password string) ID {
	sum := sha1.Sum([]byte(user + ":" + password))
	return ID{Scheme: "digest", ID: user + ":" + base64.StdEncoding.EncodeToString(sum[:])}
}

// DigestAuth turns the auth bytes of addAuth("digest", "user:password")
// into the identity, as DigestAuthenticationProvider does; AuthFailed when
// there is no colon.
func DigestAuth(userPassword string) (ID, error) {
	user, password, ok := strings.Cut(userPassword, ":")
	if !ok {
		return ID{}, ErrAuthFailed
	}
	return DigestID(user, password), nil
}

func (a ACL) String() string {
	return fmt.Sprintf("%s:%s:%s", a.ID.Scheme, quoteIfNeeded(a.ID.ID), permString(a.Perms))
}

func permString(p int32) string {
	const letters = "rwcda"
	var b strings.Builder
	for i := range 5 {
		if p&(1<<i) != 0 {
			b.WriteByte(letters[i])
		}
	}
	if rest := p &^ PermAll; rest != 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "#%d", p)
	}
	return b.String()
}

func aclListString(acl []ACL) string {
	parts := make([]string, len(acl))
	for i, a := range acl {
		parts[i] = a.String()
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// fixACL is PrepRequestProcessor.fixupACL: an empty list is invalid,
// duplicates go, "auth" expands to every digest identity of the caller
// (invalid when it has none), and every other subject must be valid for
// its scheme.
func fixACL(acl []ACL, auth []ID) ([]ACL, error) {
	if len(acl) == 0 || len(acl) > aclEntriesMax {
		return nil, ErrInvalidACL
	}
	out := make([]ACL, 0, len(acl))
	for i, a := range acl {
		if containsACL(acl[:i], a) {
			continue
		}
		switch {
		case a.ID.Scheme == "world" && a.ID.ID == "anyone":
			out = append(out, a)
		case a.ID.Scheme == "auth":
			expanded := false
			for _, id := range IdentityOrder(auth) {
				// Only digest identities are "authenticated" in
				// ZooKeeper's sense; the ip identity every session has
				// is not.
				if id.Scheme == "digest" {
					expanded = true
					out = append(out, ACL{Perms: a.Perms, ID: id})
				}
			}
			if !expanded {
				return nil, ErrInvalidACL
			}
		case a.ID.Scheme == "digest" && digestIDValid(a.ID.ID):
			out = append(out, a)
		case a.ID.Scheme == "ip" && ipExprValid(a.ID.ID):
			out = append(out, a)
		default:
			return nil, ErrInvalidACL
		}
	}
	return out, nil
}

func containsACL(list []ACL, a ACL) bool {
	for _, b := range list {
		if b == a {
			return true
		}
	}
	return false
}

// digestIDValid is Java's id.split(":").length == 2, where split drops
// trailing empty strings: "u:h" and ":h" pass, "u:" and "u:h:x" do not.
func digestIDValid(id string) bool {
	parts := strings.Split(id, ":")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return len(parts) == 2
}

func ipExprValid(expr string) bool {
	_, _, ok := parseIPExpr(expr)
	return ok
}

// parseIPExpr reads "a.b.c.d" or "a.b.c.d/bits" as IPAuthenticationProvider
// does. ZooKeeper 3.8 knows IPv4 only (IPv6 came in 3.9.4,
// ZOOKEEPER-4240): an IPv6 subject is invalid and an IPv6 client matches
// nothing.
func parseIPExpr(expr string) (addr [4]byte, bits int, ok bool) {
	host, bitsText, hasBits := strings.Cut(expr, "/")
	addr, ok = parseIPv4(host)
	if !ok {
		return addr, 0, false
	}
	bits = 32
	if hasBits {
		n, ok := javaParseInt(bitsText)
		if !ok || n < 0 || n > 32 {
			return addr, 0, false
		}
		bits = int(n)
	}
	return addr, bits, true
}

func parseIPv4(s string) ([4]byte, bool) {
	var out [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return out, false
	}
	for i, p := range parts {
		n, ok := javaParseInt(p)
		if !ok || n < 0 || n > 255 {
			return out, false
		}
		out[i] = byte(n)
	}
	return out, true
}

// javaParseInt is Java's Integer.parseInt(s), which the ip provider parses
// with: an optional sign, then decimal digits of any script (Unicode's
// Nd, one UTF-16 unit each, so "１０" is 10), within an int32.
func javaParseInt(s string) (int32, bool) {
	sign := int64(1)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var n int64
	for _, r := range s {
		if r > 0xffff || !unicode.IsDigit(r) {
			return 0, false
		}
		// Every decimal digit block of the Basic Multilingual Plane is
		// ten code points from zero to nine.
		digit := int64(0)
		for unicode.IsDigit(r - rune(digit) - 1) {
			digit++
		}
		n = 10*n + digit
		if n > math.MaxInt32+1 {
			return 0, false
		}
	}
	n *= sign
	if n > math.MaxInt32 || n < math.MinInt32 {
		return 0, false
	}
	return int32(n), true
}

func ipMatches(client, expr string) bool {
	want, bits, ok := parseIPExpr(expr)
	if !ok {
		return false
	}
	have, ok := parseIPv4(client)
	if !ok {
		return false
	}
	for i := range 4 {
		mask := byte(0)
		if b := bits - 8*i; b >= 8 {
			mask = 0xff
		} else if b > 0 {
			mask = byte(0xff << (8 - b))
		}
		if have[i]&mask != want[i]&mask {
			return false
		}
	}
	return true
}

// checkACL is ZooKeeperServer.checkACL: an empty list or a "super"
// identity allows everything; otherwise some entry with one of perm's
// bits must match world:anyone or one of the caller's identities.
func checkACL(acl []ACL, perm int32, auth []ID) error {
	if len(acl) == 0 {
		return nil
	}
	for _, id := range auth {
		if id.Scheme == "super" {
			return nil
		}
	}
	for _, a := range acl {
		if a.Perms&perm == 0 {
			continue
		}
		if a.ID.Scheme == "world" && a.ID.ID == "anyone" {
			return nil
		}
		for _, id := range auth {
			if id.Scheme != a.ID.Scheme {
				continue
			}
			switch a.ID.Scheme {
			case "digest":
				if id.ID == a.ID.ID {
					return nil
				}
			case "ip":
				if ipMatches(id.ID, a.ID.ID) {
					return nil
				}
			}
		}
	}
	return ErrNoAuth
}

// redactDigests is what getACL shows a caller without ADMIN: digest
// subjects keep the user and lose the hash ("user:x").
func redactDigests(acl []ACL) []ACL {
	out := make([]ACL, len(acl))
	for i, a := range acl {
		if a.ID.Scheme == "digest" {
			if user, _, ok := strings.Cut(a.ID.ID, ":"); ok {
				a.ID.ID = user + ":x"
			}
		}
		out[i] = a
	}
	return out
}

// IdentityOrder returns a connection's identities (given in the order
// they were added) in the order ZooKeeper 3.8 lists them, in whoAmI and in
// an "auth" ACL's expansion: it keeps them in a Java hash set, backed by
// a hash map of 16 buckets (a connection with at most 12 ids never grows
// it), iterated by bucket of Id.hashCode spread as the map spreads it, in
// insertion order within a bucket. ids itself is not changed.
func IdentityOrder(ids []ID) []ID {
	const buckets = 16
	bucket := func(id ID) int32 {
		h := 37*(37*17+javaStringHash(id.Scheme)) + javaStringHash(id.ID)
		return (h ^ int32(uint32(h)>>16)) & (buckets - 1)
	}
	out := slices.Clone(ids)
	slices.SortStableFunc(out, func(a, b ID) int { return int(bucket(a) - bucket(b)) })
	return out
}
