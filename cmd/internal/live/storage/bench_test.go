package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkAppendSync measures durable appends of 128-byte records, with
// one fsync per record and one per 100 (group commit); an op is a record.
func BenchmarkAppendSync(b *testing.B) {
	record := make([]byte, 128)
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			st, err := Open(b.TempDir(), Config{})
			require.NoError(b, err)
			defer st.Close()
			b.SetBytes(int64(len(record)))
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if err := st.Append(record); err != nil {
					b.Fatal(err)
				}
				if (i+1)%batch == 0 || i == b.N-1 {
					st.Sync(func() {})
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}
