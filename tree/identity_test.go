package tree

import (
	"os"
	"strings"
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

// TestIPProviderMatchesZooKeeper replays testdata/ip_provider.txt, what
// ZooKeeper 3.8.0's own IPAuthenticationProvider answered (made by
// testdata/IPCases.java, run with the ZooKeeper jar on its classpath):
// "valid EXPR BOOL" is isValid, which decides whether setACL and create
// take the subject (InvalidACL otherwise); "match CLIENT EXPR BOOL" is
// matches, whether a connection from CLIENT passes an ACL naming EXPR.
func TestIPProviderMatchesZooKeeper(t *testing.T) {
	raw, err := os.ReadFile("testdata/ip_provider.txt")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	require.Greater(t, len(lines), 200)
	for i, line := range lines {
		f := strings.Split(line, "\t")
		want := f[len(f)-1] == "true"
		switch {
		case f[0] == "valid" && len(f) == 3:
			_, err := fixACL([]ACL{{Perms: PermAll, ID: ID{Scheme: "ip", ID: f[1]}}}, nil)
			if want {
				require.NoError(t, err, "line %d: %q", i+1, f[1])
			} else {
				require.ErrorIs(t, err, ErrInvalidACL, "line %d: %q", i+1, f[1])
			}
		case f[0] == "match" && len(f) == 4:
			acl := []ACL{{Perms: PermRead, ID: ID{Scheme: "ip", ID: f[2]}}}
			err := checkACL(acl, PermRead, []ID{{Scheme: "ip", ID: f[1]}})
			if want {
				require.NoError(t, err, "line %d: %s against %q", i+1, f[1], f[2])
			} else {
				require.ErrorIs(t, err, ErrNoAuth, "line %d: %s against %q", i+1, f[1], f[2])
			}
		default:
			t.Fatalf("line %d: %q", i+1, line)
		}
	}
}
