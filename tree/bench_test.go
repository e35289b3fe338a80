package tree

import (
	"fmt"
	"testing"
)

const benchNodes = 100_000

// benchTree builds 100k nodes: 100 parents of 999 children each.
func benchTree(b *testing.B) (*Tree, *Preparer, int64) {
	b.Helper()
	tr := New(Config{})
	p := NewPreparer(tr)
	zxid := int64(0)
	c := Caller{Session: 1}
	apply := func(req Request) {
		zxid++
		txn, err := p.Prepare(zxid, c, zxid, req)
		if err != nil {
			b.Fatal(err)
		}
		if r, _ := tr.Apply(zxid, txn); r.Err != nil {
			b.Fatal(r.Err)
		}
		p.Applied(zxid)
	}
	for i := 0; tr.NodeCount() < benchNodes; i++ {
		parent := fmt.Sprintf("/p%03d", i)
		apply(create(parent, "parent"))
		for j := 0; j < 999 && tr.NodeCount() < benchNodes; j++ {
			apply(create(fmt.Sprintf("%s/n%04d", parent, j), "0123456789abcdef0123456789abcdef"))
		}
	}
	return tr, p, zxid
}

func BenchmarkPrepareApplyCreate(b *testing.B) {
	tr, p, zxid := benchTree(b)
	c := Caller{Session: 1}
	req := Request{Op: OpCreate, Path: "/p000/s-", Data: []byte("0123456789abcdef"), ACL: WorldACL(PermAll), Flags: FlagSequential}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		zxid++
		txn, _ := p.Prepare(zxid, c, zxid, req)
		tr.Apply(zxid, txn)
		p.Applied(zxid)
	}
}

func BenchmarkPrepareApplySetData(b *testing.B) {
	tr, p, zxid := benchTree(b)
	c := Caller{Session: 1}
	paths := make([]string, 1000)
	for i := range paths {
		paths[i] = fmt.Sprintf("/p%03d/n%04d", i%100, i%999)
	}
	data := []byte("0123456789abcdef0123456789abcdef")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		zxid++
		txn, _ := p.Prepare(zxid, c, zxid, Request{Op: OpSetData, Path: paths[i%len(paths)], Data: data, Version: -1})
		tr.Apply(zxid, txn)
		p.Applied(zxid)
	}
}

func BenchmarkGetData(b *testing.B) {
	tr, _, _ := benchTree(b)
	paths := make([]string, 1000)
	for i := range paths {
		paths[i] = fmt.Sprintf("/p%03d/n%04d", i%100, i%999)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := tr.GetData(Caller{}, paths[i%len(paths)], false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSnapshotEncode(b *testing.B) {
	tr, _, _ := benchTree(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.SetBytes(int64(len(tr.EncodeSnapshot())))
	}
}

func BenchmarkSnapshotDecode(b *testing.B) {
	tr, _, _ := benchTree(b)
	snap := tr.EncodeSnapshot()
	b.SetBytes(int64(len(snap)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := DecodeSnapshot(snap); err != nil {
			b.Fatal(err)
		}
	}
}
