package nemesis

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseFaults(t *testing.T) {
	cases := []struct {
		in   string
		want []Fault
		err  string
	}{
		{"all", Faults, ""},
		{"kill", []Fault{FaultKill}, ""},
		{" pause , cut-link,loss", []Fault{FaultPause, FaultCutLink, FaultLoss}, ""},
		{"kill,", nil, `fault "" is not one of`},
		{"kil", nil, `fault "kil" is not one of kill, kill-all, pause, partition, cut-link, delay, loss, or all`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFaults(tc.in)
			if tc.err != "" {
				require.ErrorIs(t, err, ErrConfig)
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
