package loadgen

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.k6.io/k6/v2/js/common"
)

func TestTalliesAreSharedByEveryVUOfTheProcess(t *testing.T) {
	t.Parallel()
	root := newRoot(cgroupFS{Root: t.TempDir()}, nil)
	a := newInitVU(t, root, common.Events{})
	b := newInitVU(t, root, common.Events{})
	a.run(t, `tally('payments:succeeded'); tally('payments:succeeded', 2); tally('other')`)
	assert.Equal(t, int64(4), b.run(t, `tally('payments:succeeded')`).ToInteger())
	b.run(t, `tally('payments:failed', 1)`)
	got := a.run(t, `JSON.stringify(tallies('payments:'))`).String()
	assert.JSONEq(t, `{"payments:succeeded":4,"payments:failed":1}`, got)
	assert.JSONEq(t, `{"payments:succeeded":4,"payments:failed":1,"other":1}`, a.run(t, `JSON.stringify(tallies())`).String())
	// another process (root) has its own
	c := newInitVU(t, newRoot(cgroupFS{Root: t.TempDir()}, nil), common.Events{})
	assert.JSONEq(t, `{}`, c.run(t, `JSON.stringify(tallies())`).String())
}

func TestTallyArgumentsAreChecked(t *testing.T) {
	t.Parallel()
	v := newInitVU(t, newRoot(cgroupFS{Root: t.TempDir()}, nil), common.Events{})
	for script, want := range map[string]string{
		`tally()`:          "name must be a non-empty string",
		`tally('')`:        "name must be a non-empty string",
		`tally(3)`:         "name must be a non-empty string",
		`tally('x', 1.5)`:  "n must be an integer",
		`tally('x', 'a')`:  "n must be an integer",
		`tally('x', null)`: "n must be an integer",
	} {
		_, err := v.VU.Runtime().RunString(script)
		require.Error(t, err, script)
		assert.Contains(t, err.Error(), want, script)
	}
	assert.Equal(t, int64(-2), v.run(t, `tally('x', -2)`).ToInteger(), "negative amounts are allowed (corrections)")
}

func TestTallyIsSafeUnderConcurrentAdds(t *testing.T) {
	t.Parallel()
	var tl tallies
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				tl.add("k", 1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, map[string]int64{"k": 8000}, tl.snapshot(""))
}
