package loadgen

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestMeasure(t *testing.T) {
	t.Parallel()
	prev := reading{at: t0, cpu: 10 * time.Second, cpuOK: true, gc: 40 * time.Millisecond}
	cur := reading{at: t0.Add(500 * time.Millisecond), cpu: 10*time.Second + 750*time.Millisecond, cpuOK: true, gc: 43500 * time.Microsecond}
	s := measure(prev, cur, 2, 12500*time.Microsecond)
	assert.Equal(t, cur.at, s.At)
	assert.Equal(t, 500*time.Millisecond, s.Wall)
	assert.True(t, s.HasCPU)
	assert.InDelta(t, 0.75, s.CPURatio, 1e-12, "750ms CPU in 500ms on 2 cores")
	assert.InDelta(t, 12.5, s.LagMs, 1e-12)
	assert.InDelta(t, 3.5, s.GCPauseMs, 1e-12)
	assert.InDelta(t, 2.0, s.Cores, 0)

	// a fractional quota: 1.5 cores fully used for one second
	s = measure(reading{at: t0, cpuOK: true}, reading{at: t0.Add(time.Second), cpu: 1500 * time.Millisecond, cpuOK: true}, 1.5, 0)
	assert.InDelta(t, 1.0, s.CPURatio, 1e-12)
	assert.Zero(t, s.LagMs)
	assert.Zero(t, s.GCPauseMs)

	// CPU time unreadable at either end: no ratio
	s = measure(reading{at: t0}, reading{at: t0.Add(time.Second), cpu: time.Second, cpuOK: true}, 1, 0)
	assert.False(t, s.HasCPU)
	s = measure(reading{at: t0, cpuOK: true}, reading{at: t0.Add(time.Second), cpu: time.Second}, 1, 0)
	assert.False(t, s.HasCPU)

	// no wall time: no ratio (no division by zero); counters never go negative
	s = measure(reading{at: t0, cpuOK: true, cpu: time.Second, gc: time.Second}, reading{at: t0, cpuOK: true}, 1, -time.Millisecond)
	assert.False(t, s.HasCPU)
	assert.Zero(t, s.GCPauseMs)
	assert.Zero(t, s.LagMs)
}

func TestSourcesRead(t *testing.T) {
	t.Parallel()
	src := sources{
		now:     func() time.Time { return t0 },
		cpuTime: func() (time.Duration, error) { return 0, errors.New("no getrusage") },
		gcPause: func() time.Duration { return time.Millisecond },
		cores:   func() float64 { return 1 },
	}
	assert.Equal(t, reading{at: t0, gc: time.Millisecond}, src.read())
}

func TestSystemSources(t *testing.T) {
	t.Parallel()
	src := systemSources(cgroupFS{Root: fixture(t, map[string]string{"cgroup.controllers": "", "cpu.max": "50000 100000"})})
	before := src.read()
	require.True(t, before.cpuOK)
	for deadline := time.Now().Add(30 * time.Millisecond); time.Now().Before(deadline); { //nolint:revive // burn CPU
	}
	after := src.read()
	assert.Greater(t, after.cpu, before.cpu, "CPU time grows while burning CPU")
	assert.GreaterOrEqual(t, after.gc, before.gc)
	assert.InDelta(t, 0.5, src.cores(), 0)
}

func TestLagProbeArithmetic(t *testing.T) {
	t.Parallel()
	p := newLagProbe(10*time.Millisecond, t0)
	assert.Zero(t, p.take(t0), "nothing recorded, nothing pending")

	d := p.arm(t0)
	assert.Equal(t, t0.Add(10*time.Millisecond), d)
	p.woke(d, d.Add(3*time.Millisecond))
	d = p.arm(d.Add(3 * time.Millisecond))
	p.woke(d, d.Add(7*time.Millisecond))
	d = p.arm(d.Add(7 * time.Millisecond))
	p.woke(d, d.Add(time.Millisecond))
	assert.Equal(t, 7*time.Millisecond, p.take(d.Add(time.Millisecond)), "the largest lateness of the interval")
	assert.Zero(t, p.take(d.Add(2*time.Millisecond)), "take starts the next interval")

	// early wake-ups count as on time
	d = p.arm(t0.Add(time.Second))
	p.woke(d, d.Add(-time.Millisecond))
	assert.Zero(t, p.take(d))

	// a wake-up that has not happened yet: the pending sleep's overdue time counts in this interval
	d = p.arm(t0.Add(2 * time.Second))
	assert.Zero(t, p.take(d.Add(-5*time.Millisecond)), "not due yet")
	assert.Equal(t, 250*time.Millisecond, p.take(d.Add(250*time.Millisecond)))
	assert.Equal(t, 900*time.Millisecond, p.take(d.Add(900*time.Millisecond)), "still stalled in the next interval")
	p.woke(d, d.Add(950*time.Millisecond))
	assert.Equal(t, 950*time.Millisecond, p.take(d.Add(960*time.Millisecond)))
}

func TestLagProbeRunsAndStops(t *testing.T) {
	t.Parallel()
	p := newLagProbe(time.Millisecond, time.Now())
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.run(stop, time.Now)
	}()
	time.Sleep(50 * time.Millisecond)
	lag := p.take(time.Now())
	assert.GreaterOrEqual(t, lag, time.Duration(0))
	assert.Less(t, lag, 5*time.Second)
	close(stop)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the lag probe did not stop")
	}
}

// fakeSources advances a made-up clock by one second per reading, during which the process uses
// 0.5 s of CPU and 2 ms of GC pause, on 2 cores.
type fakeSources struct {
	mu    sync.Mutex
	reads int
}

func (f *fakeSources) sources() sources {
	at := func() time.Time { return t0.Add(time.Duration(f.reads) * time.Second) }
	return sources{
		now: func() time.Time {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.reads++
			return at()
		},
		cpuTime: func() (time.Duration, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return time.Duration(f.reads) * 500 * time.Millisecond, nil
		},
		gcPause: func() time.Duration {
			f.mu.Lock()
			defer f.mu.Unlock()
			return time.Duration(f.reads) * 2 * time.Millisecond
		},
		cores: func() float64 { return 2 },
		lag:   func() time.Duration { return 3 * time.Millisecond },
	}
}

type emitted struct {
	snap  snapshot
	final bool
}

func TestSamplerEmitsEachIntervalThenTheLastPartialOne(t *testing.T) {
	t.Parallel()
	f := &fakeSources{}
	src := f.sources()
	s := &sampler{interval: time.Millisecond, src: src}
	stop := make(chan struct{})
	var (
		mu  sync.Mutex
		got []emitted
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.run(stop, func(snap snapshot, final bool) bool {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, emitted{snap, final})
			return true
		})
	}()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 3
	}, 5*time.Second, time.Millisecond)
	close(stop)
	<-done
	require.GreaterOrEqual(t, len(got), 4)
	for i, e := range got {
		assert.Equal(t, i == len(got)-1, e.final, "only the last one is final")
		assert.Equal(t, time.Second, e.snap.Wall)
		assert.Equal(t, t0.Add(time.Duration(i+2)*time.Second), e.snap.At) // the first reading is at t0+1s
		assert.True(t, e.snap.HasCPU)
		assert.InDelta(t, 0.25, e.snap.CPURatio, 1e-12) // 0.5 s CPU / (1 s × 2 cores)
		assert.InDelta(t, 2.0, e.snap.GCPauseMs, 1e-12)
		assert.InDelta(t, 2.0, e.snap.Cores, 0)
		assert.InDelta(t, 3.0, e.snap.LagMs, 0)
	}
}

func TestSamplerStopsWhenEmitFails(t *testing.T) {
	t.Parallel()
	f := &fakeSources{}
	s := &sampler{interval: time.Millisecond, src: f.sources()}
	calls := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.run(make(chan struct{}), func(snapshot, bool) bool {
			calls++
			return false
		})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sampler kept running")
	}
	assert.Equal(t, 1, calls)
}

func TestSamplerSkipsAnEmptyLastInterval(t *testing.T) {
	t.Parallel()
	src := sources{
		now:     func() time.Time { return t0 }, // the clock does not move
		cpuTime: func() (time.Duration, error) { return 0, nil },
		gcPause: func() time.Duration { return 0 },
		cores:   func() float64 { return 1 },
		lag:     func() time.Duration { return 0 },
	}
	s := &sampler{interval: time.Hour, src: src}
	stop := make(chan struct{})
	close(stop)
	s.run(stop, func(snapshot, bool) bool {
		t.Error("emitted an interval of no time")
		return true
	})
}
