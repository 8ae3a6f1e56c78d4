package loadgen

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvironmentV2Limits(t *testing.T) {
	t.Parallel()
	dir := fixture(t, map[string]string{
		"cg/cgroup.controllers": "cpu memory",
		"cg/a/cpu.max":          "200000 100000\n",
		"cg/memory.max":         "max\n",
		"cg/a/memory.max":       "2147483648\n",
		"self":                  "0::/a\n",
		"meminfo":               "MemTotal:       2097152 kB\nMemFree:  1 kB\nMemAvailable:   1900544 kB\n",
		"mountinfo": "22 1 0:21 / / rw - overlay overlay rw\n" +
			"30 22 0:30 / /data rw,nosuid - tmpfs tmpfs rw,size=1048576k\n" +
			"31 22 8:1 /x /results rw - ext4 /dev/sda1 rw\n",
	})
	fs := envFS{
		cgroup:    cgroupFS{Root: filepath.Join(dir, "cg"), SelfCgroup: filepath.Join(dir, "self")},
		meminfo:   filepath.Join(dir, "meminfo"),
		mountinfo: filepath.Join(dir, "mountinfo"),
	}
	e := readEnvironment(fs, nil)
	assert.Equal(t, int64(2048), e.MemTotalMB)
	assert.Equal(t, int64(1856), e.MemAvailableMB)
	assert.Equal(t, "200000 100000", e.CPUQuota)
	require.NotNil(t, e.MemoryLimit)
	assert.InDelta(t, 2147483648, *e.MemoryLimit, 0)
	require.NotNil(t, e.Host.Cgroup.Cores)
	assert.InDelta(t, 2.0, *e.Host.Cgroup.Cores, 0)

	mounts := readMounts(fs.mountinfo)
	require.Len(t, mounts, 3)
	assert.Equal(t, mount{point: "/data", fsType: "tmpfs"}, mounts[1])
}

func TestEnvironmentWithoutCgroupSaysSo(t *testing.T) {
	t.Parallel()
	dir := fixture(t, map[string]string{"cg/unrelated": "x"})
	e := readEnvironment(envFS{cgroup: cgroupFS{Root: filepath.Join(dir, "cg")}, meminfo: filepath.Join(dir, "none"), mountinfo: filepath.Join(dir, "none")}, []string{dir})
	assert.Empty(t, e.CPUQuota)
	assert.Nil(t, e.MemoryLimit)
	assert.Equal(t, int64(-1), e.MemTotalMB)
	v := e.jsValue()
	assert.Nil(t, v["cgroupMemoryLimit"])
	assert.Nil(t, v["memTotalMB"])
	require.Len(t, e.Paths, 1)
	assert.True(t, e.Paths[0].Exists)
}

func TestEnvironmentV1MemoryUnlimited(t *testing.T) {
	t.Parallel()
	dir := fixture(t, map[string]string{
		"cg/cpu/cpu.cfs_quota_us":            "-1\n",
		"cg/cpu/cpu.cfs_period_us":           "100000\n",
		"cg/memory/memory.limit_in_bytes":    "9223372036854771712\n",
		"cg/memory/k6/memory.limit_in_bytes": "536870912\n",
		"self":                               "4:memory:/k6\n3:cpu,cpuacct:/\n",
	})
	cg := cgroupFS{Root: filepath.Join(dir, "cg"), SelfCgroup: filepath.Join(dir, "self")}
	quota, mem := cg.limits()
	assert.Equal(t, "-1 100000", quota)
	require.NotNil(t, mem)
	assert.InDelta(t, 536870912, *mem, 0)
}

func TestStatPathPicksTheLongestMount(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mounts := []mount{{point: "/", fsType: "overlay"}, {point: dir, fsType: "tmpfs"}, {point: dir + "x", fsType: "ext4"}}
	got := statPath(dir, mounts)
	assert.Equal(t, "tmpfs", got.FSType)
	assert.Equal(t, "overlay", statPath(filepath.Dir(dir), mounts).FSType)
	assert.False(t, statPath(filepath.Join(dir, "missing"), mounts).Exists)
	assert.Equal(t, `/a b`, unescapeMount(`/a\040b`))
}

func TestParseByteLimit(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"max": false, "1024": true, "9223372036854771712": false} {
		_, limited, err := parseByteLimit(in)
		require.NoError(t, err)
		assert.Equal(t, want, limited, in)
	}
	_, _, err := parseByteLimit("lots")
	assert.Error(t, err)
}
