package loadgen

import (
	"runtime/debug"
	"sync/atomic"
	"time"
)

// lagStep is how long the lag probe sleeps each time; how late it wakes up is the scheduling lag.
const lagStep = 10 * time.Millisecond

// sources are the clocks and counters the sampler reads; injectable so that the arithmetic is tested
// with made-up readings.
type sources struct {
	now     func() time.Time
	cpuTime func() (time.Duration, error) // the process's CPU time so far, user + system
	gcPause func() time.Duration          // the process's total GC stop-the-world pause so far
	cores   func() float64                // the cores the process can use now
	lag     func() time.Duration          // the interval's scheduling lag; nil = the lag probe's (real clock)
}

// systemSources reads the real process: getrusage(RUSAGE_SELF), debug.ReadGCStats, and the core
// counts and cgroup quota (re-read every interval: GOMAXPROCS and the quota can change during a run).
func systemSources(fs cgroupFS) sources {
	return sources{
		now:     time.Now,
		cpuTime: processCPUTime,
		gcPause: gcPauseTotal,
		cores:   func() float64 { return readHost(fs).Cores },
	}
}

// gcPauseTotal is the cumulative GC stop-the-world pause time of the process (exact, unlike the
// bucketed runtime/metrics pause histograms; ReadGCStats does not stop the world).
func gcPauseTotal() time.Duration {
	var st debug.GCStats
	debug.ReadGCStats(&st)
	return st.PauseTotal
}

// reading is the cumulative counters at one instant.
type reading struct {
	at    time.Time
	cpu   time.Duration
	cpuOK bool // false when the CPU time could not be read
	gc    time.Duration
}

func (s sources) read() reading {
	r := reading{at: s.now(), gc: s.gcPause()}
	if cpu, err := s.cpuTime(); err == nil {
		r.cpu, r.cpuOK = cpu, true
	}
	return r
}

// snapshot is one interval's figures: one sample of each metric.
type snapshot struct {
	At        time.Time     // end of the interval: the samples' time
	Wall      time.Duration // length of the interval
	CPURatio  float64       // CPU time ÷ (Wall × Cores); valid when HasCPU
	HasCPU    bool
	LagMs     float64 // the largest wake-up lateness of the lag probe
	GCPauseMs float64 // GC stop-the-world pause time
	Cores     float64 // usable cores
}

// measure turns two readings into the interval's snapshot.
func measure(prev, cur reading, cores float64, lag time.Duration) snapshot {
	wall := cur.at.Sub(prev.at)
	s := snapshot{
		At:        cur.at,
		Wall:      wall,
		LagMs:     ms(max(lag, 0)),
		GCPauseMs: ms(max(cur.gc-prev.gc, 0)),
		Cores:     cores,
	}
	if prev.cpuOK && cur.cpuOK && wall > 0 && cores > 0 {
		s.CPURatio = float64(max(cur.cpu-prev.cpu, 0)) / (float64(wall) * cores)
		s.HasCPU = true
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// lagProbe sleeps step after step on its own goroutine and records how late each wake-up is: on a
// healthy generator a few tens of microseconds, on one whose threads wait for a CPU (saturated by
// k6 itself, or starved by other processes, or throttled by the cgroup quota) milliseconds or more.
type lagProbe struct {
	step     time.Duration
	base     time.Time    // origin of the nanosecond offsets below (monotonic clock)
	maxLate  atomic.Int64 // ns: the largest lateness recorded since the last take
	deadline atomic.Int64 // ns since base of the pending wake-up; 0 while none is pending
}

func newLagProbe(step time.Duration, base time.Time) *lagProbe {
	return &lagProbe{step: step, base: base}
}

// arm records that a sleep of one step starts at `at`, and returns when it should end.
func (p *lagProbe) arm(at time.Time) time.Time {
	d := at.Add(p.step)
	p.deadline.Store(max(int64(d.Sub(p.base)), 1))
	return d
}

// woke records a wake-up at `at` for the sleep that should have ended at deadline.
func (p *lagProbe) woke(deadline, at time.Time) {
	p.deadline.Store(0)
	late := int64(max(at.Sub(deadline), 0))
	for {
		cur := p.maxLate.Load()
		if late <= cur || p.maxLate.CompareAndSwap(cur, late) {
			return
		}
	}
}

// take returns the interval's lag and starts the next interval: the largest recorded lateness, or,
// when larger, how overdue the pending wake-up already is at now (a stall longer than the interval
// still shows in the interval it happens in).
func (p *lagProbe) take(now time.Time) time.Duration {
	late := p.maxLate.Swap(0)
	if d := p.deadline.Load(); d != 0 {
		late = max(late, int64(now.Sub(p.base))-d)
	}
	return time.Duration(late)
}

// run sleeps step after step until stop is closed.
func (p *lagProbe) run(stop <-chan struct{}, now func() time.Time) {
	deadline := p.arm(now())
	timer := time.NewTimer(p.step)
	defer timer.Stop()
	for {
		select {
		case <-stop:
			return
		case <-timer.C:
			p.woke(deadline, now())
			deadline = p.arm(now())
			timer.Reset(p.step)
		}
	}
}

// sampler takes a reading every interval and turns each interval into a snapshot (its lag from
// src.lag).
type sampler struct {
	interval time.Duration
	src      sources
}

// run emits one snapshot per interval until stop is closed; then it emits the last, partial interval
// with final set (when any time has passed since the previous one) and returns. emit returns false
// when nothing can be sent any more (k6 closed its samples channel): run returns at once then.
func (s *sampler) run(stop <-chan struct{}, emit func(snap snapshot, final bool) bool) {
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	prev := s.src.read()
	next := func() snapshot {
		cur := s.src.read()
		snap := measure(prev, cur, s.src.cores(), s.src.lag())
		prev = cur
		return snap
	}
	for {
		select {
		case <-stop:
			if snap := next(); snap.Wall > 0 {
				emit(snap, true)
			}
			return
		case <-ticker.C:
			if !emit(next(), false) {
				return
			}
		}
	}
}
