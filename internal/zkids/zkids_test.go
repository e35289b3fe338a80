package zkids

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/tree"
)

// The measured case: a session that added alice:wrong, alice:secret and
// bob (after its ip identity) had an "auth" ACL expanded by ZooKeeper as
// alice:secret, bob, alice:wrong.
func TestJavaSetOrderMatchesZooKeeper(t *testing.T) {
	loopback := tree.ID{Scheme: "ip", ID: "127.0.0.1"}
	aliceWrong, aliceSecret, bob := tree.DigestID("alice", "wrong"), tree.DigestID("alice", "secret"), tree.DigestID("bob", "pw")
	in := []tree.ID{loopback, aliceWrong, aliceSecret, bob}
	got := JavaSetOrder(in)
	require.Equal(t, []tree.ID{aliceSecret, bob, loopback, aliceWrong}, got)
	require.Equal(t, []tree.ID{loopback, aliceWrong, aliceSecret, bob}, in, "the input is left as it was")
}
