package protocol

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestNotificationRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := Notification{
			From:          rapid.Uint64().Draw(t, "from"),
			To:            rapid.Uint64().Draw(t, "to"),
			State:         ServerState(rapid.IntRange(int(Looking), int(Observing)).Draw(t, "state")),
			Vote:          genVote().Draw(t, "vote"),
			ElectionEpoch: rapid.Uint64().Draw(t, "round"),
		}
		got, err := UnmarshalNotification(n.Marshal())
		require.NoError(t, err)
		require.Equal(t, n, got)
	})
}

func TestNotificationGarbage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")
		n, err := UnmarshalNotification(b)
		if err == nil {
			require.Equal(t, b, n.Marshal(), "accepted bytes must be canonical")
		} else {
			require.ErrorIs(t, err, ErrBadEncoding)
		}
	})
}

func TestNotificationString(t *testing.T) {
	n := Notification{From: 1, To: 2, State: Looking, Vote: Vote{Leader: 3, Zxid: MakeZxid(1, 3), PeerEpoch: 1}, ElectionEpoch: 4}
	require.Equal(t, "1->2 NOTIFICATION LOOKING vote=(leader=3 zxid=0x100000003 peerEpoch=1) round=4", n.String())
}
