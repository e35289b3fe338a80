package wire

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Stat is a znode's metadata, in jute field order (68 bytes on the wire).
type Stat struct {
	Czxid          int64
	Mzxid          int64
	Ctime          int64
	Mtime          int64
	Version        int32
	Cversion       int32
	Aversion       int32
	EphemeralOwner int64
	DataLength     int32
	NumChildren    int32
	Pzxid          int64
}

// StatSize is the encoded size of a Stat.
const StatSize = 68

func (s Stat) String() string {
	return fmt.Sprintf("stat{czxid=%#x mzxid=%#x ctime=%d mtime=%d version=%d cversion=%d aversion=%d ephemeralOwner=%#x dataLength=%d numChildren=%d pzxid=%#x}",
		s.Czxid, s.Mzxid, s.Ctime, s.Mtime, s.Version, s.Cversion, s.Aversion, s.EphemeralOwner, s.DataLength, s.NumChildren, s.Pzxid)
}

func (s Stat) encode(e *encoder) {
	e.int64(s.Czxid)
	e.int64(s.Mzxid)
	e.int64(s.Ctime)
	e.int64(s.Mtime)
	e.int32(s.Version)
	e.int32(s.Cversion)
	e.int32(s.Aversion)
	e.int64(s.EphemeralOwner)
	e.int32(s.DataLength)
	e.int32(s.NumChildren)
	e.int64(s.Pzxid)
}

func decodeStat(d *decoder) Stat {
	return Stat{
		Czxid:          d.int64("czxid"),
		Mzxid:          d.int64("mzxid"),
		Ctime:          d.int64("ctime"),
		Mtime:          d.int64("mtime"),
		Version:        d.int32("version"),
		Cversion:       d.int32("cversion"),
		Aversion:       d.int32("aversion"),
		EphemeralOwner: d.int64("ephemeralOwner"),
		DataLength:     d.int32("dataLength"),
		NumChildren:    d.int32("numChildren"),
		Pzxid:          d.int64("pzxid"),
	}
}

// Id names an identity within an auth scheme, e.g. world:anyone.
type Id struct {
	Scheme string
	ID     string
}

func (i Id) String() string { return bare(i.Scheme) + ":" + bare(i.ID) }

// bare prints s as is when that is unambiguous and quoted otherwise, so
// ordinary ids read naturally and String() still stays on one line.
func bare(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == ' ' || r == '"' }) < 0 {
		return s
	}
	return strconv.Quote(s)
}

func (i Id) encode(e *encoder) {
	e.ustring(i.Scheme)
	e.ustring(i.ID)
}

func decodeID(d *decoder) Id {
	return Id{Scheme: d.ustring("scheme"), ID: d.ustring("id")}
}

// Permission bits of an ACL.
const (
	PermRead   int32 = 1
	PermWrite  int32 = 2
	PermCreate int32 = 4
	PermDelete int32 = 8
	PermAdmin  int32 = 16
	PermAll    int32 = 31
)

// ACL grants Perms to ID.
type ACL struct {
	Perms int32
	ID    Id
}

// aclMin is the smallest encoded ACL: perms and two empty strings.
const aclMin = 12

// WorldACL is the open ACL most clients create nodes with.
var WorldACL = []ACL{{Perms: PermAll, ID: Id{Scheme: "world", ID: "anyone"}}}

func (a ACL) String() string { return fmt.Sprintf("%d:%s", a.Perms, a.ID) }

func (a ACL) encode(e *encoder) {
	e.int32(a.Perms)
	a.ID.encode(e)
}

func decodeACL(d *decoder) ACL {
	perms := d.int32("perms")
	return ACL{Perms: perms, ID: sub(d, "id", decodeID)}
}

func decodeACLs(d *decoder, field string) []ACL {
	return vector(d, field, aclMin, decodeACL)
}

// encodeACLs writes nil as count -1 when nullable (a request, echoing the
// client) and as 0 otherwise (a reply, which clients must be able to read).
func encodeACLs(e *encoder, acl []ACL, nullable bool) {
	if acl == nil && nullable {
		e.int32(-1)
		return
	}
	e.int32(int32(len(acl)))
	for _, a := range acl {
		a.encode(e)
	}
}

func aclString(acl []ACL) string {
	if acl == nil {
		return "null"
	}
	parts := make([]string, len(acl))
	for i, a := range acl {
		parts[i] = a.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// shortData is how records print a data buffer: null, short data quoted,
// long data by its length only, so String() stays one readable line.
func shortData(b []byte) string {
	switch {
	case b == nil:
		return "null"
	case len(b) <= 32:
		return fmt.Sprintf("%q", b)
	default:
		return fmt.Sprintf("%dB", len(b))
	}
}

func stringsString(v []string) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%q", v)
}
