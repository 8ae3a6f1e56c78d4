package loadgen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture writes files (path relative to a temp dir → content) and returns the dir.
func fixture(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	}
	return dir
}

func ptr(f float64) *float64 { return &f }

func TestDetectCgroup(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		files map[string]string
		want  cgroupInfo
	}{
		"no cgroup": {
			files: map[string]string{"unrelated": "x"},
			want:  cgroupInfo{Version: cgroupNone},
		},
		"v2 without limit": {
			files: map[string]string{"cgroup.controllers": "cpu io memory", "cpu.max": "max 100000\n"},
			want:  cgroupInfo{Version: cgroupV2},
		},
		"v2 with 1.5 cores": {
			files: map[string]string{"cgroup.controllers": "cpu", "cpu.max": "150000 100000\n"},
			want:  cgroupInfo{Version: cgroupV2, Cores: ptr(1.5)},
		},
		"v2 root without cpu.max": {
			files: map[string]string{"cgroup.controllers": "cpu"},
			want:  cgroupInfo{Version: cgroupV2},
		},
		"v2 unparsable cpu.max": {
			files: map[string]string{"cgroup.controllers": "cpu", "cpu.max": "lots\n"},
			want:  cgroupInfo{Version: cgroupV2},
		},
		"v2 own cgroup and its ancestors, the tightest wins": {
			files: map[string]string{
				"cgroup.controllers":    "cpu",
				"self":                  "0::/a/b/c\n",
				"a/cpu.max":             "300000 100000\n",
				"a/b/cpu.max":           "50000 100000\n",
				"a/b/c/cpu.max":         "max 100000\n",
				"other/cpu.max":         "10000 100000\n",
				"a/b/c/cgroup.controls": "",
			},
			want: cgroupInfo{Version: cgroupV2, Cores: ptr(0.5)},
		},
		"v2 own cgroup not under the mount (cgroup namespace): the root's": {
			files: map[string]string{"cgroup.controllers": "cpu", "cpu.max": "200000 100000", "self": "0::/docker/abc\n"},
			want:  cgroupInfo{Version: cgroupV2, Cores: ptr(2)},
		},
		"v1 without limit": {
			files: map[string]string{"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"},
			want:  cgroupInfo{Version: cgroupV1},
		},
		"v1 with 2 cores": {
			files: map[string]string{"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"},
			want:  cgroupInfo{Version: cgroupV1, Cores: ptr(2)},
		},
		"v1 cpu,cpuacct and the process's own cgroup": {
			files: map[string]string{
				"cpu,cpuacct/cpu.cfs_quota_us":       "-1\n",
				"cpu,cpuacct/cpu.cfs_period_us":      "100000\n",
				"cpu,cpuacct/k6/cpu.cfs_quota_us":    "25000\n",
				"cpu,cpuacct/k6/cpu.cfs_period_us":   "50000\n",
				"memory/k6/memory.limit_in_bytes":    "1",
				"self":                               "9:memory:/elsewhere\n4:cpu,cpuacct:/k6\n0::/\n",
				"cpu,cpuacct/k6/x/cpu.cfs_period_us": "100000\n", // no quota file: skipped
			},
			want: cgroupInfo{Version: cgroupV1, Cores: ptr(0.5)},
		},
		"hybrid: unified mount without controllers at the root, v1 cpu": {
			files: map[string]string{
				"unified/cgroup.controllers": "", "cpu/cpu.cfs_quota_us": "150000", "cpu/cpu.cfs_period_us": "100000",
			},
			want: cgroupInfo{Version: cgroupV1, Cores: ptr(1.5)},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := fixture(t, tc.files)
			fs := cgroupFS{Root: dir}
			if _, ok := tc.files["self"]; ok {
				fs.SelfCgroup = filepath.Join(dir, "self")
			}
			assert.Equal(t, tc.want, fs.detect())
		})
	}
}

func TestMissingSelfCgroupFileReadsTheRoot(t *testing.T) {
	t.Parallel()
	dir := fixture(t, map[string]string{"cgroup.controllers": "cpu", "cpu.max": "100000 100000"})
	fs := cgroupFS{Root: dir, SelfCgroup: filepath.Join(dir, "nope")}
	assert.Equal(t, cgroupInfo{Version: cgroupV2, Cores: ptr(1)}, fs.detect())
}

func TestParseCPUMax(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]struct {
		cores   float64
		limited bool
		err     bool
	}{
		"max 100000\n":    {},
		"max":             {},
		"150000 100000\n": {cores: 1.5, limited: true},
		"50000 100000":    {cores: 0.5, limited: true},
		"400000 200000":   {cores: 2, limited: true},
		"100000":          {cores: 1, limited: true},
		"":                {err: true},
		"x 100000":        {err: true},
		"0 100000":        {err: true},
		"100000 0":        {err: true},
		"max -1":          {err: true},
		"1 2 3":           {err: true},
	} {
		cores, limited, err := parseCPUMax(in)
		if want.err {
			assert.Error(t, err, "%q", in)
			continue
		}
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want.limited, limited, "%q", in)
		assert.InDelta(t, want.cores, cores, 1e-9, "%q", in)
	}
}

func TestParseCFS(t *testing.T) {
	t.Parallel()
	cores, limited, err := parseCFS("-1\n", "100000\n")
	require.NoError(t, err)
	assert.False(t, limited)
	assert.Zero(t, cores)

	cores, limited, err = parseCFS("150000\n", "100000\n")
	require.NoError(t, err)
	assert.True(t, limited)
	assert.InDelta(t, 1.5, cores, 1e-9)

	for _, bad := range [][2]string{{"x", "100000"}, {"0", "100000"}, {"100000", "0"}, {"100000", "y"}} {
		_, _, err := parseCFS(bad[0], bad[1])
		assert.Error(t, err, "%q", bad)
	}
}

func TestUsableCores(t *testing.T) {
	t.Parallel()
	assert.InDelta(t, 8.0, usableCores(8, 8, nil), 0)
	assert.InDelta(t, 4.0, usableCores(8, 4, nil), 0)
	assert.InDelta(t, 2.0, usableCores(2, 8, nil), 0)
	assert.InDelta(t, 1.5, usableCores(8, 8, ptr(1.5)), 0)
	assert.InDelta(t, 0.5, usableCores(8, 2, ptr(0.5)), 0)
	assert.InDelta(t, 2.0, usableCores(2, 2, ptr(6)), 0, "a quota above the CPUs does not add cores")
	assert.InDelta(t, 1.0, usableCores(0, 0, nil), 0, "never below one core without a quota")
}

func TestHostInfoJSValue(t *testing.T) {
	t.Parallel()
	dir := fixture(t, map[string]string{"cgroup.controllers": "cpu", "cpu.max": "50000 100000"})
	h := readHost(cgroupFS{Root: dir})
	assert.InDelta(t, 0.5, h.Cores, 0)
	v := h.jsValue()
	assert.Equal(t, 0.5, v["cgroupCores"])
	assert.Equal(t, "v2", v["cgroup"])
	assert.Equal(t, h.NumCPU, v["numCPU"])
	assert.Equal(t, h.GOMAXPROCS, v["gomaxprocs"])

	v = readHost(cgroupFS{Root: t.TempDir()}).jsValue()
	assert.Nil(t, v["cgroupCores"])
	assert.Equal(t, "none", v["cgroup"])
}

// The machine's real cgroup files: whatever they say, detection must not fail.
func TestDetectOnThisMachine(t *testing.T) {
	t.Parallel()
	h := readHost(defaultCgroupFS())
	assert.Contains(t, []string{cgroupV2, cgroupV1, cgroupNone}, h.Cgroup.Version)
	assert.Positive(t, h.Cores)
	assert.LessOrEqual(t, h.Cores, float64(h.NumCPU))
	t.Logf("this machine: %+v (cgroup cores %v)", h, h.Cgroup.Cores)
}
