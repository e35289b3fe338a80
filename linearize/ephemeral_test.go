package linearize

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckEphemerals(t *testing.T) {
	const s1, s2 = 0x100, 0x101
	mk := func(p string, owner int64) Effect { return Effect{Path: p, Exists: true, Data: "x", Owner: owner} }
	tests := []struct {
		name string
		txns []Txn
		want []Check
	}{
		{name: "ephemeral deleted by its session's close", txns: []Txn{
			{Zxid: z(1), Kind: TxnWrite, Effects: []Effect{mk("/e", s1)}},
			{Zxid: z(2), Kind: TxnCloseSession, Session: s1, Effects: []Effect{{Path: "/e"}}},
		}},
		{name: "ephemeral deleted explicitly before its session ends", txns: []Txn{
			{Zxid: z(1), Kind: TxnWrite, Effects: []Effect{mk("/e", s1)}},
			{Zxid: z(2), Kind: TxnWrite, Effects: []Effect{{Path: "/e"}}},
			{Zxid: z(3), Kind: TxnCloseSession, Session: s1},
		}},
		{name: "ephemeral survives its session (ZK-2355)", want: []Check{Ephemeral}, txns: []Txn{
			{Zxid: z(1), Kind: TxnWrite, Effects: []Effect{mk("/e", s1)}},
			{Zxid: z(2), Kind: TxnCloseSession, Session: s1},
		}},
		{name: "ephemeral removed by another session's close", want: []Check{Ephemeral}, txns: []Txn{
			{Zxid: z(1), Kind: TxnWrite, Effects: []Effect{mk("/e", s1)}},
			{Zxid: z(2), Kind: TxnCloseSession, Session: s2, Effects: []Effect{{Path: "/e"}}},
		}},
		{name: "ephemeral created for an ended session", want: []Check{Ephemeral}, txns: []Txn{
			{Zxid: z(1), Kind: TxnCloseSession, Session: s1},
			{Zxid: z(2), Kind: TxnWrite, Effects: []Effect{mk("/e", s1)}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := NewGroundTruth(tt.txns)
			require.NoError(t, err)
			vs := CheckEphemerals(g)
			require.Equal(t, tt.want, checks(vs), "%v", vs)
		})
	}
}

func TestCheckSequential(t *testing.T) {
	seq := Request{Kind: KindCreate, Path: "/p/q-", Data: "x", Sequential: true}
	parent := func(at, czxid Zxid) Txn {
		return Txn{Zxid: at, Kind: TxnWrite, Effects: []Effect{{Path: "/p", Exists: true, Czxid: uint64(czxid)}}}
	}
	tests := []struct {
		name    string
		history []Operation
		txns    []Txn
		want    []Check
	}{
		{name: "increasing names", txns: []Txn{parent(z(1), z(1))}, history: []Operation{
			done(0, 1, seq, 0, 10, created("/p/q-0000000000"), z(2)),
			done(1, 1, seq, 20, 30, created("/p/q-0000000001"), z(3)),
		}},
		{name: "a name handed out twice", want: []Check{SequentialUnique}, txns: []Txn{parent(z(1), z(1))}, history: []Operation{
			done(0, 1, seq, 0, 10, created("/p/q-0000000000"), z(2)),
			done(1, 1, seq, 20, 30, created("/p/q-0000000000"), z(3)),
		}},
		{name: "names restart under a re-created parent", txns: []Txn{parent(z(1), z(1)), parent(z(3), z(3))}, history: []Operation{
			done(0, 1, seq, 0, 10, created("/p/q-0000000000"), z(2)),
			done(1, 1, seq, 20, 30, created("/p/q-0000000000"), z(4)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := NewGroundTruth(tt.txns)
			require.NoError(t, err)
			require.Equal(t, tt.want, checks(CheckSequential(tt.history, g)))
		})
	}
}
