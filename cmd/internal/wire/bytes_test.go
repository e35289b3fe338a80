package wire

import "encoding/binary"

// jb builds expected bytes by hand from the jute definitions, independently
// of the encoder under test.
type jb []byte

func (b jb) i32(v int32) jb { return binary.BigEndian.AppendUint32(b, uint32(v)) }
func (b jb) i64(v int64) jb { return binary.BigEndian.AppendUint64(b, uint64(v)) }
func (b jb) boolean(v bool) jb {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}
func (b jb) str(s string) jb  { return append(b.i32(int32(len(s))), s...) }
func (b jb) buf(p []byte) jb  { return append(b.i32(int32(len(p))), p...) }
func (b jb) null() jb         { return b.i32(-1) }
func (b jb) raw(p ...byte) jb { return append(b, p...) }

func (b jb) stat(s Stat) jb {
	return b.i64(s.Czxid).i64(s.Mzxid).i64(s.Ctime).i64(s.Mtime).
		i32(s.Version).i32(s.Cversion).i32(s.Aversion).i64(s.EphemeralOwner).
		i32(s.DataLength).i32(s.NumChildren).i64(s.Pzxid)
}

func (b jb) worldACL() jb { return b.i32(1).i32(31).str("world").str("anyone") }

func (b jb) reqHdr(xid int32, op Opcode) jb { return b.i32(xid).i32(int32(op)) }

func (b jb) replyHdr(xid int32, zxid int64, err ErrCode) jb {
	return b.i32(xid).i64(zxid).i32(int32(err))
}

func (b jb) multiHdr(t Opcode, done bool, err ErrCode) jb {
	return b.i32(int32(t)).boolean(done).i32(int32(err))
}

func (b jb) end() jb { return b.multiHdr(-1, true, -1) }

// sampleStat has a distinct value in every field, so a field written in the
// wrong place shows up.
var sampleStat = Stat{
	Czxid: 0x100000001, Mzxid: 0x100000002, Ctime: 1700000000001, Mtime: 1700000000002,
	Version: 3, Cversion: 4, Aversion: 5, EphemeralOwner: 0x100005041330000,
	DataLength: 6, NumChildren: 7, Pzxid: 0x100000008,
}
