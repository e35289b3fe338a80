package protocol

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func genMessage() *rapid.Generator[Message] {
	return rapid.Custom(func(t *rapid.T) Message {
		m := Message{
			Type: MsgType(rapid.IntRange(1, int(msgTypeEnd)-1).Draw(t, "type")),
			From: rapid.Uint64().Draw(t, "from"),
			To:   rapid.Uint64().Draw(t, "to"),
			Zxid: Zxid(rapid.Uint64().Draw(t, "zxid")),
			Data: rapid.SliceOfN(rapid.Byte(), 0, 64).Draw(t, "data"),
		}
		if len(m.Data) == 0 {
			m.Data = nil
		}
		if m.Type == MsgNotification {
			m.State = ServerState(rapid.IntRange(int(Looking), int(Observing)).Draw(t, "state"))
			m.Vote = genVote().Draw(t, "vote")
			m.Round = rapid.Uint64().Draw(t, "round")
		} else {
			m.Epoch = rapid.Int64().Draw(t, "epoch")
		}
		return m
	})
}

func TestMessageRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genMessage().Draw(t, "m")
		prefix := rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "prefix")
		packed := m.AppendMarshal(slices.Clone(prefix))
		require.Equal(t, append(slices.Clone(prefix), m.Marshal()...), packed, "AppendMarshal appends what Marshal makes")
		got, err := UnmarshalMessage(packed[len(prefix):])
		require.NoError(t, err)
		require.Equal(t, m, got)
	})
}

func TestMessageGarbage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")
		m, err := UnmarshalMessage(b)
		if err == nil {
			require.Equal(t, b, m.Marshal(), "accepted bytes must be canonical")
		} else {
			require.ErrorIs(t, err, ErrBadEncoding)
		}
	})
}

func TestMessageString(t *testing.T) {
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{Type: MsgNotification, From: 1, To: 2, State: Looking, Vote: Vote{Leader: 3, Zxid: MakeZxid(1, 3), PeerEpoch: 1}, Round: 4},
			"1->2 NOTIFICATION LOOKING vote=(leader=3 zxid=0x100000003 peerEpoch=1) round=4"},
		{Message{Type: MsgAckEpoch, From: 2, To: 1, Zxid: MakeZxid(1, 7), Epoch: -1}, "2->1 ACKEPOCH last=0x100000007 currentEpoch=-1"},
		{Message{Type: MsgProposal, From: 1, To: 2, Zxid: MakeZxid(2, 1), Data: []byte("abc")}, "1->2 PROPOSAL 0x200000001 (3B)"},
		{Message{Type: MsgLeaderInfo, From: 1, To: 2, Zxid: MakeZxid(3, 0)}, "1->2 LEADERINFO epoch=3"},
	} {
		require.Equal(t, tc.want, tc.m.String())
	}
}

func TestEntryRecord(t *testing.T) {
	e := Entry{Zxid: MakeZxid(2, 9), Txn: []byte("txn")}
	got, err := UnmarshalEntry(MarshalEntry(e))
	require.NoError(t, err)
	require.Equal(t, e, got)
	_, err = UnmarshalEntry([]byte{1, 2})
	require.ErrorIs(t, err, ErrBadEncoding)
	_, err = UnmarshalEntry(MarshalEntry(Entry{Zxid: MakeZxid(2, 0)}))
	require.ErrorIs(t, err, ErrBadEncoding)
}
