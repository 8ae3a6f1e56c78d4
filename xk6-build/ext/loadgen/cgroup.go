package loadgen

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Cgroup versions, as info() reports them.
const (
	cgroupV2   = "v2"
	cgroupV1   = "v1"
	cgroupNone = "none"
)

// cgroupInfo is the CPU limit of the cgroup the process runs in.
type cgroupInfo struct {
	Version string   // cgroupV2, cgroupV1 or cgroupNone
	Cores   *float64 // the CPU quota in cores; nil when there is no limit (or no cgroup)
}

// cgroupFS says where the cgroup files are; injectable so tests read fixtures from a temp dir.
type cgroupFS struct {
	// Root is the cgroup mount, normally /sys/fs/cgroup.
	Root string
	// SelfCgroup is the process's cgroup membership file, normally /proc/self/cgroup. The quota is
	// looked for in the process's own cgroup and every ancestor up to Root (the tightest one wins);
	// with "" (or an unreadable file) only Root's own files are read.
	SelfCgroup string
}

func defaultCgroupFS() cgroupFS {
	return cgroupFS{Root: "/sys/fs/cgroup", SelfCgroup: "/proc/self/cgroup"}
}

// detect finds the cgroup version and CPU quota. A unified hierarchy (cgroup.controllers at Root)
// is v2, a cpu controller directory under Root (cpu/ or cpu,cpuacct/) is v1; otherwise there is none.
func (fs cgroupFS) detect() cgroupInfo {
	if fileExists(filepath.Join(fs.Root, "cgroup.controllers")) {
		return cgroupInfo{Version: cgroupV2, Cores: fs.minQuota(fs.Root, fs.ownPath(isV2Line), readCPUMax)}
	}
	for _, dir := range []string{"cpu", "cpu,cpuacct", "cpuacct,cpu"} {
		base := filepath.Join(fs.Root, dir)
		if fileExists(filepath.Join(base, "cpu.cfs_quota_us")) {
			return cgroupInfo{Version: cgroupV1, Cores: fs.minQuota(base, fs.ownPath(isV1CPULine), readCFS)}
		}
	}
	return cgroupInfo{Version: cgroupNone}
}

// minQuota reads the quota of the cgroup at own (a path inside the hierarchy mounted at base) and of
// each of its ancestors, and returns the smallest; nil when none of them is limited.
func (cgroupFS) minQuota(base, own string, read func(dir string) (float64, bool, error)) *float64 {
	var best *float64
	for p := own; ; p = path.Dir(p) {
		if cores, limited, err := read(filepath.Join(base, filepath.FromSlash(p))); err == nil && limited {
			if best == nil || cores < *best {
				best = &cores
			}
		}
		if p == "/" {
			return best
		}
	}
}

// ownPath returns the process's cgroup path from SelfCgroup (the first line match accepts), or "/".
func (fs cgroupFS) ownPath(match func(hierarchy, controllers string) bool) string {
	if fs.SelfCgroup == "" {
		return "/"
	}
	f, err := os.Open(fs.SelfCgroup)
	if err != nil {
		return "/"
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) == 3 && match(parts[0], parts[1]) {
			return path.Clean("/" + parts[2])
		}
	}
	return "/"
}

func isV2Line(hierarchy, controllers string) bool { return hierarchy == "0" && controllers == "" }

func isV1CPULine(_, controllers string) bool {
	for c := range strings.SplitSeq(controllers, ",") {
		if c == "cpu" {
			return true
		}
	}
	return false
}

// readCPUMax reads a cgroup v2 cpu.max in dir.
func readCPUMax(dir string) (float64, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cpu.max"))
	if err != nil {
		return 0, false, err
	}
	return parseCPUMax(string(b))
}

// parseCPUMax parses cgroup v2 cpu.max: "$MAX $PERIOD", MAX being "max" when there is no limit
// ("max 100000": none; "150000 100000": 1.5 cores). A missing period is the kernel's default 100000.
func parseCPUMax(s string) (cores float64, limited bool, err error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return 0, false, fmt.Errorf("cpu.max: want \"$MAX $PERIOD\", got %q", s)
	}
	period := int64(100000)
	if len(f) == 2 {
		if period, err = strconv.ParseInt(f[1], 10, 64); err != nil || period <= 0 {
			return 0, false, fmt.Errorf("cpu.max: bad period %q", f[1])
		}
	}
	if f[0] == "max" {
		return 0, false, nil
	}
	quota, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || quota <= 0 {
		return 0, false, fmt.Errorf("cpu.max: bad quota %q", f[0])
	}
	return float64(quota) / float64(period), true, nil
}

// readCFS reads cgroup v1 cpu.cfs_quota_us and cpu.cfs_period_us in dir.
func readCFS(dir string) (float64, bool, error) {
	q, err := os.ReadFile(filepath.Join(dir, "cpu.cfs_quota_us"))
	if err != nil {
		return 0, false, err
	}
	p, err := os.ReadFile(filepath.Join(dir, "cpu.cfs_period_us"))
	if err != nil {
		return 0, false, err
	}
	return parseCFS(string(q), string(p))
}

// parseCFS parses cgroup v1 CFS quota and period (microseconds); a quota of -1 means no limit.
func parseCFS(quotaText, periodText string) (cores float64, limited bool, err error) {
	quota, err := strconv.ParseInt(strings.TrimSpace(quotaText), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("cpu.cfs_quota_us: %w", err)
	}
	if quota < 0 {
		return 0, false, nil
	}
	if quota == 0 {
		return 0, false, errors.New("cpu.cfs_quota_us: 0")
	}
	period, err := strconv.ParseInt(strings.TrimSpace(periodText), 10, 64)
	if err != nil || period <= 0 {
		return 0, false, fmt.Errorf("cpu.cfs_period_us: bad period %q", strings.TrimSpace(periodText))
	}
	return float64(quota) / float64(period), true, nil
}

func fileExists(name string) bool {
	st, err := os.Stat(name)
	return err == nil && !st.IsDir()
}

// hostInfo is what info() reports: the cores the k6 process can use, and where that figure comes from.
type hostInfo struct {
	Cores      float64 // usableCores of the fields below
	NumCPU     int
	GOMAXPROCS int
	Cgroup     cgroupInfo
}

// readHost reads the process's core counts and cgroup limit now.
func readHost(fs cgroupFS) hostInfo {
	h := hostInfo{NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Cgroup: fs.detect()}
	h.Cores = usableCores(h.NumCPU, h.GOMAXPROCS, h.Cgroup.Cores)
	return h
}

// usableCores is min(numCPU, gomaxprocs, quota): how much CPU time per wall second the process can get.
func usableCores(numCPU, gomaxprocs int, quota *float64) float64 {
	c := float64(max(1, min(numCPU, gomaxprocs)))
	if quota != nil && *quota > 0 && *quota < c {
		c = *quota
	}
	return c
}

// jsValue is the LoadgenInfo object handed to JS (cgroupCores null when there is no limit).
func (h hostInfo) jsValue() map[string]any {
	var quota any
	if h.Cgroup.Cores != nil {
		quota = *h.Cgroup.Cores
	}
	return map[string]any{
		"cores":       h.Cores,
		"numCPU":      h.NumCPU,
		"gomaxprocs":  h.GOMAXPROCS,
		"cgroupCores": quota,
		"cgroup":      h.Cgroup.Version,
	}
}
