package protocol

import (
	"reflect"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// How Clone and StateDigest treat each field of the peer's state. A field
// added without a row here fails TestCloneAndDigestCoverFields, so that
// whoever adds state to a peer decides how the model checker copies and
// digests it (a field Clone shares by accident makes two explored states
// write into one array; a field StateDigest leaves out merges states that
// behave differently).
const (
	scalar  = "copied by value, digested"
	deep    = "copied by Clone, digested"
	shared  = "never written after creation: shared by clones"
	ignored = "not digested: "
)

var stateFields = map[reflect.Type]map[string]string{
	reflect.TypeFor[Peer](): {
		"cfg": shared, "id": scalar, "app": "replaced by Clone's argument; the host digests it",
		"ticks": ignored + "absolute time; deadlines are digested relative to it", "limits": shared,
		"acceptedEpoch": scalar, "currentEpoch": scalar, "disk": deep, "diskBase": scalar,
		"lastLogged": ignored + "follows from disk and snaps", "snaps": deep, "sinceSnap": scalar,
		"state": scalar, "phase": scalar, "serving": scalar, "lastProcessed": scalar,
		"committed": deep, "currentVote": scalar, "voteRound": scalar,
		"el": deep, "lead": deep, "lrn": deep,
		"term": ignored + "only compared with the term continuations were queued in, which is digested",
		"out":  deep, "onDone": deep, "handed": deep + "only the continuations; the buffers stay with the host",
		"free":          ignored + "recycled buffers, cleared by Clone",
		"unsyncedBatch": ignored + "set and consumed within one Ready", "halted": scalar,
	},
	reflect.TypeFor[election](): {
		"round": scalar, "proposal": scalar, "recv": deep, "outOf": deep, "finalizing": scalar,
		"deadline": scalar, "notTimeout": scalar, "nextPoll": scalar,
	},
	reflect.TypeFor[leader](): {
		"epoch": scalar, "epochFixed": scalar, "connecting": deep, "electing": deep, "established": scalar,
		"newLeaderAcks": deep, "deadline": scalar, "learners": deep, "sorted": ignored + "a cache of learners, reset by Clone",
		"lastProposed": scalar, "lastCommitted": scalar, "outstanding": deep, "tick": scalar, "nextWake": scalar, "tickSkip": scalar,
	},
	reflect.TypeFor[learner](): {
		"leader": scalar, "observer": scalar, "epoch": scalar, "stage": scalar, "deadline": scalar, "connectBy": scalar,
		"retryAt": scalar, "mode": scalar, "snapshotNeeded": scalar, "writeToTxnLog": scalar, "newLeaderSeen": scalar,
		"notLogged": deep, "committedZxids": deep, "lastQueued": scalar, "pending": deep,
	},
	reflect.TypeFor[handler](): {
		"sid": scalar, "observer": scalar, "stage": scalar, "acceptedEpoch": scalar, "lastZxid": scalar,
		"currentEpoch": scalar, "deadline": scalar, "unacked": deep,
	},
	reflect.TypeFor[proposal](): {
		"entry": shared, "acks": deep, "ackBuf": "backing array of acks, copied with the struct",
	},
}

// TestCloneAndDigestCoverFields fails when a field of the peer's state has
// no decided treatment in Clone and StateDigest, or when a field of a
// reference kind is said to be copied by value.
func TestCloneAndDigestCoverFields(t *testing.T) {
	for typ, fields := range stateFields {
		var names []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			names = append(names, f.Name)
			how, ok := fields[f.Name]
			require.True(t, ok, "%s.%s is new: copy it in Clone if it holds a slice, map or pointer, digest it in StateDigest, and add it to stateFields", typ.Name(), f.Name)
			if how == scalar {
				switch f.Type.Kind() {
				case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
					t.Errorf("%s.%s is a %s, so a copy by value shares it", typ.Name(), f.Name, f.Type.Kind())
				}
			}
		}
		var listed []string
		for name := range fields {
			listed = append(listed, name)
		}
		sort.Strings(names)
		sort.Strings(listed)
		require.Equal(t, listed, names, "stateFields[%s] lists fields the struct no longer has", typ.Name())
	}
}
