package experiments

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/linearize"
	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/sim"
)

func applied(at time.Duration, f nemesis.Fault, servers ...int) nemesis.Applied {
	return nemesis.Applied{At: sim.Time(at), Step: nemesis.Step{At: at, Fault: f}, Servers: servers, Text: f.String()}
}

func TestFaultWindows(t *testing.T) {
	s := time.Second
	crash := nemesis.Fault{Kind: nemesis.Crash, Who: nemesis.Servers(2)}
	restartAll := nemesis.Fault{Kind: nemesis.Restart, Who: nemesis.Who{Sel: nemesis.All}}
	part := nemesis.Fault{Kind: nemesis.Partition, Shape: nemesis.Minority}
	heal := nemesis.Fault{Kind: nemesis.Heal}
	loss := nemesis.Fault{Kind: nemesis.Loss, P: 0.2}
	noLoss := nemesis.Fault{Kind: nemesis.Loss, P: 0}
	block := nemesis.Fault{Kind: nemesis.Block, From: 1, To: 2}
	reset := nemesis.Fault{Kind: nemesis.Reset, From: 1, To: 2}
	for _, tc := range []struct {
		name    string
		applied []nemesis.Applied
		want    []reports.Window
	}{
		{"crash until restart", []nemesis.Applied{applied(2*s, crash, 2), applied(4*s, restartAll, 1, 2, 3)},
			[]reports.Window{{Start: 2 * s, End: 4 * s, Label: crash.String()}}},
		{"a leader crash with no leader did nothing", []nemesis.Applied{
			applied(2*s, nemesis.Fault{Kind: nemesis.Crash, Who: nemesis.Who{Sel: nemesis.Leader}}), applied(4*s, restartAll, 1, 2, 3)}, nil},
		{"partition until heal", []nemesis.Applied{applied(1*s, part), applied(3*s, heal)},
			[]reports.Window{{Start: 1 * s, End: 3 * s, Label: part.String()}}},
		{"a new partition replaces the old", []nemesis.Applied{applied(1*s, part), applied(2*s, part), applied(3*s, heal)},
			[]reports.Window{{Start: 1 * s, End: 2 * s, Label: part.String()}, {Start: 2 * s, End: 3 * s, Label: part.String()}}},
		{"loss until set back to zero", []nemesis.Applied{applied(1*s, loss), applied(5*s, noLoss)},
			[]reports.Window{{Start: 1 * s, End: 5 * s, Label: loss.String()}}},
		{"block until its own unblock", []nemesis.Applied{applied(1*s, block), applied(2*s, nemesis.Fault{Kind: nemesis.Unblock, From: 2, To: 1}),
			applied(3*s, nemesis.Fault{Kind: nemesis.Unblock, From: 1, To: 2})},
			[]reports.Window{{Start: 1 * s, End: 3 * s, Label: block.String()}}},
		{"calm ends everything", []nemesis.Applied{applied(1*s, crash, 2), applied(2*s, loss), applied(6*s, nemesis.Fault{Kind: nemesis.Calm})},
			[]reports.Window{{Start: 1 * s, End: 6 * s, Label: crash.String()}, {Start: 2 * s, End: 6 * s, Label: loss.String()}}},
		{"never undone stays open", []nemesis.Applied{applied(1*s, part)},
			[]reports.Window{{Start: 1 * s, Label: part.String()}}},
		{"a reset is a moment", []nemesis.Applied{applied(1*s, reset)},
			[]reports.Window{{Start: 1 * s, End: 1*s + momentary, Label: reset.String()}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, faultWindows(tc.applied))
		})
	}
}

func TestOutcomeOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   linearize.Operation
		want reports.Outcome
	}{
		{"ok", linearize.Operation{Outcome: linearize.OutcomeOK}, reports.OutcomeOK},
		{"bad version is an answer", linearize.Operation{Outcome: linearize.OutcomeFailed, Res: linearize.Result{Err: linearize.CodeBadVersion}}, reports.OutcomeOK},
		{"a failed multi is an answer", linearize.Operation{Outcome: linearize.OutcomeFailed}, reports.OutcomeOK},
		{"session expired", linearize.Operation{Outcome: linearize.OutcomeFailed, Res: linearize.Result{Err: linearize.CodeSessionExpired}}, reports.OutcomeError},
		{"session moved", linearize.Operation{Outcome: linearize.OutcomeFailed, Res: linearize.Result{Err: codeSessionMoved}}, reports.OutcomeError},
		{"system error", linearize.Operation{Outcome: linearize.OutcomeFailed, Res: linearize.Result{Err: -1}}, reports.OutcomeError},
		{"gave up", linearize.Operation{Outcome: linearize.OutcomeUnknown}, reports.OutcomeTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, outcomeOf(tc.op))
		})
	}
}

func TestWindowCountsWritesAnsweredInIt(t *testing.T) {
	ms := int64(time.Millisecond)
	write := func(call, ret int64, o linearize.Outcome) linearize.Operation {
		return linearize.Operation{Req: linearize.Request{Kind: linearize.KindSetData}, Call: call * ms, Return: ret * ms, GaveUp: ret * ms, Outcome: o}
	}
	history := []linearize.Operation{
		write(5, 8, linearize.OutcomeOK),        // before the window
		write(10, 12, linearize.OutcomeOK),      // in it
		write(15, 30, linearize.OutcomeOK),      // answered after it closed
		write(16, 18, linearize.OutcomeUnknown), // gave up
		{Req: linearize.Request{Kind: linearize.KindGetData}, Call: 11 * ms, Return: 12 * ms, Outcome: linearize.OutcomeOK},
		{Client: linearize.ServerClient, Req: linearize.Request{Kind: linearize.KindCloseSession}, Call: 11 * ms, Return: 12 * ms, Outcome: linearize.OutcomeOK},
	}
	attempted, succeeded := window{10 * time.Millisecond, 20 * time.Millisecond}.writes(history)
	require.Equal(t, 3, attempted)
	require.Equal(t, 1, succeeded)
}
