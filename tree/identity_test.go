package tree

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The measured case: a session that added alice:wrong, alice:secret and
// bob (after its ip identity) had an "auth" ACL expanded by ZooKeeper as
// alice:secret, bob, alice:wrong.
func TestIdentityOrderMatchesZooKeeper(t *testing.T) {
	loopback := ID{Scheme: "ip", ID: "127.0.0.1"}
	aliceWrong, aliceSecret, bob := DigestID("alice", "wrong"), DigestID("alice", "secret"), DigestID("bob", "pw")
	in := []ID{loopback, aliceWrong, aliceSecret, bob}
	got := IdentityOrder(in)
	require.Equal(t, []ID{aliceSecret, bob, loopback, aliceWrong}, got)
	require.Equal(t, []ID{loopback, aliceWrong, aliceSecret, bob}, in, "the input is left as it was")
}
