package loadgen

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// environment is what environment() reports: the resources a k6 instance really has, so that a
// distributed run can show that its containers' limits are active (seed 002's "Runtime Environment
// Verification": cores visible, memory, cgroup CPU quota and memory limit, tmpfs or disk per path).
type environment struct {
	Host hostInfo
	// Hostname is os.Hostname() (a container's id or a pod's name); "" when unreadable.
	Hostname string
	// MemTotalMB and MemAvailableMB come from /proc/meminfo (MiB); -1 when unreadable.
	MemTotalMB, MemAvailableMB int64
	// CPUQuota is the cgroup's CPU quota as the kernel writes it ("200000 100000", "max 100000",
	// or v1's "quota period"); "" when no cgroup CPU controller was found.
	CPUQuota string
	// MemoryLimit is the tightest cgroup memory limit in bytes; nil when there is none.
	MemoryLimit *float64
	Paths       []pathFS
}

// pathFS is the file system a path lives on.
type pathFS struct {
	Path   string
	Exists bool
	FSType string // e.g. "tmpfs", "ext4", "overlay"; "" when the path does not exist
	Mount  string // the mount point holding it
	SizeMB int64  // the file system's size (statfs), MiB; -1 when unknown
}

// envFS says where the environment files are; injectable so tests read fixtures.
type envFS struct {
	cgroup    cgroupFS
	meminfo   string // /proc/meminfo
	mountinfo string // /proc/self/mountinfo
}

func defaultEnvFS(cg cgroupFS) envFS {
	return envFS{cgroup: cg, meminfo: "/proc/meminfo", mountinfo: "/proc/self/mountinfo"}
}

// readEnvironment reads the environment now; paths are checked for their file system.
func readEnvironment(fs envFS, paths []string) environment {
	e := environment{Host: readHost(fs.cgroup), MemTotalMB: -1, MemAvailableMB: -1}
	e.Hostname, _ = os.Hostname()
	if mem, err := readMeminfo(fs.meminfo); err == nil {
		e.MemTotalMB, e.MemAvailableMB = mem["MemTotal"]/1024, mem["MemAvailable"]/1024
	}
	e.CPUQuota, e.MemoryLimit = fs.cgroup.limits()
	mounts := readMounts(fs.mountinfo)
	for _, p := range paths {
		e.Paths = append(e.Paths, statPath(p, mounts))
	}
	return e
}

// readMeminfo parses /proc/meminfo ("MemTotal:  16384 kB") into kB by field.
func readMeminfo(name string) (map[string]int64, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for line := range strings.Lines(string(b)) {
		key, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			out[key] = n
		}
	}
	return out, nil
}

// limits reads the raw CPU quota text of the process's own cgroup and the tightest memory limit of
// it and its ancestors (v2 memory.max; v1 memory.limit_in_bytes, where ≥ 2^62 means none).
func (fs cgroupFS) limits() (cpuQuota string, memory *float64) {
	readText := func(name string) string {
		b, err := os.ReadFile(name)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	if fileExists(filepath.Join(fs.Root, "cgroup.controllers")) {
		own := fs.ownPath(isV2Line)
		cpuQuota = readText(filepath.Join(fs.Root, filepath.FromSlash(own), "cpu.max"))
		memory = fs.minQuota(fs.Root, own, readLimitFile("memory.max"))
		return cpuQuota, memory
	}
	for _, dir := range []string{"cpu", "cpu,cpuacct", "cpuacct,cpu"} {
		base := filepath.Join(fs.Root, dir)
		if fileExists(filepath.Join(base, "cpu.cfs_quota_us")) {
			own := filepath.Join(base, filepath.FromSlash(fs.ownPath(isV1CPULine)))
			if q := readText(filepath.Join(own, "cpu.cfs_quota_us")); q != "" {
				cpuQuota = q + " " + readText(filepath.Join(own, "cpu.cfs_period_us"))
			}
			break
		}
	}
	if base := filepath.Join(fs.Root, "memory"); fileExists(filepath.Join(base, "memory.limit_in_bytes")) {
		memory = fs.minQuota(base, fs.ownPath(isV1MemoryLine), readLimitFile("memory.limit_in_bytes"))
	}
	return cpuQuota, memory
}

func isV1MemoryLine(_, controllers string) bool {
	for c := range strings.SplitSeq(controllers, ",") {
		if c == "memory" {
			return true
		}
	}
	return false
}

// readLimitFile reads a byte limit file: "max" (v2) or a value ≥ 2^62 (v1's "unlimited") is no limit.
func readLimitFile(name string) func(dir string) (float64, bool, error) {
	return func(dir string) (float64, bool, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return 0, false, err
		}
		return parseByteLimit(string(b))
	}
}

func parseByteLimit(s string) (float64, bool, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false, err
	}
	if n >= 1<<62 {
		return 0, false, nil
	}
	return float64(n), true, nil
}

// mount is one line of /proc/self/mountinfo: where, and which file system type.
type mount struct{ point, fsType string }

// readMounts parses /proc/self/mountinfo: field 5 is the mount point, the field after " - " the type.
func readMounts(name string) []mount {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	var out []mount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, types := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(types) < 1 {
			continue
		}
		out = append(out, mount{point: unescapeMount(fields[4]), fsType: types[0]})
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	if u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`); err == nil {
		return u
	}
	return s
}

// statPath finds the mount holding p (the longest mount point that is a prefix; the last one
// mounted wins a tie) and the file system's size.
func statPath(p string, mounts []mount) pathFS {
	out := pathFS{Path: p, SizeMB: -1}
	abs, err := filepath.Abs(p)
	if err != nil {
		return out
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
		out.Exists = true
	}
	if !out.Exists {
		return out
	}
	best := -1
	for i, m := range mounts {
		if under(abs, m.point) && (best < 0 || len(m.point) >= len(mounts[best].point)) {
			best = i
		}
	}
	if best >= 0 {
		out.Mount, out.FSType = mounts[best].point, mounts[best].fsType
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(abs, &st); err == nil {
		out.SizeMB = int64(st.Blocks) * int64(st.Bsize) / (1 << 20)
	}
	return out
}

func under(p, dir string) bool {
	dir = path.Clean(dir)
	return dir == "/" || p == dir || strings.HasPrefix(p, dir+"/")
}

// jsValue is the LoadgenEnvironment object handed to JS (null for what could not be read).
func (e environment) jsValue() map[string]any {
	orNull := func(n int64) any {
		if n < 0 {
			return nil
		}
		return n
	}
	var memLimit any
	if e.MemoryLimit != nil {
		memLimit = *e.MemoryLimit
	}
	paths := make([]map[string]any, 0, len(e.Paths))
	for _, p := range e.Paths {
		paths = append(paths, map[string]any{
			"path": p.Path, "exists": p.Exists, "fsType": p.FSType, "mount": p.Mount,
			"tmpfs": p.FSType == "tmpfs", "sizeMB": orNull(p.SizeMB),
		})
	}
	return map[string]any{
		"hostname":          e.Hostname,
		"info":              e.Host.jsValue(),
		"memTotalMB":        orNull(e.MemTotalMB),
		"memAvailableMB":    orNull(e.MemAvailableMB),
		"cgroupCpuQuota":    e.CPUQuota,
		"cgroupMemoryLimit": memLimit,
		"paths":             paths,
	}
}
