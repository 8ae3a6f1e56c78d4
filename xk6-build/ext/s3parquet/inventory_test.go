package s3parquet

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientRefusesEndpointsThatAreNotServerURLs(t *testing.T) {
	for endpoint, want := range map[string]string{
		"minio:9000":                "is not an http(s) URL",
		"ftp://127.0.0.1:1":         "is not an http(s) URL",
		"http://127.0.0.1:1/bucket": "has a path",
	} {
		_, err := client(Query{Endpoint: endpoint})
		require.Error(t, err, endpoint)
		assert.Contains(t, err.Error(), want, endpoint)
	}
}

func TestUnreachableServerNamesTheBucketNeverTheSecret(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := take(ctx, Query{Endpoint: "http://127.0.0.1:1", Bucket: "wef-events", Prefix: "event_type=", AccessKeyID: "k", SecretAccessKey: "sekrit-123"}, &rowCache{}, &baselines{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "listing s3://wef-events/event_type= at http://127.0.0.1:1")
	assert.NotContains(t, err.Error(), "sekrit-123")
}

// fakeS3 answers ListObjectsV2 with the given objects and GETs (ranged or not) with their bodies,
// counting the GETs: enough of S3 to test the counting and the footer cache (the real server is in
// the project's end-to-end tests).
func fakeS3(t *testing.T, objects map[string][]byte, gets *atomic.Int64) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("list-type") == "2" {
			var b strings.Builder
			b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bkt</Name><IsTruncated>false</IsTruncated>`)
			for _, key := range []string{"event_type=1/a.parquet", "event_type=1/b.parquet", "event_type=1/notes.txt"} {
				fmt.Fprintf(&b, `<Contents><Key>%s</Key><Size>%d</Size><ETag>"e-%s"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></Contents>`, key, len(objects[key]), key)
			}
			b.WriteString(`</ListBucketResult>`)
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write([]byte(b.String()))
			return
		}
		gets.Add(1)
		body, ok := objects[strings.TrimPrefix(r.URL.Path, "/bkt/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT")
		w.Header().Set("ETag", `"x"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
}

type event struct {
	EventID int32 `parquet:"event_id"`
}

func parquetOf(t *testing.T, n int) []byte {
	var buf bytes.Buffer
	rows := make([]event, n)
	require.NoError(t, parquet.Write(&buf, rows))
	return buf.Bytes()
}

func TestCountsParquetFilesBytesAndRowsReadingEachFooterOnce(t *testing.T) {
	objects := map[string][]byte{"event_type=1/a.parquet": parquetOf(t, 1000), "event_type=1/b.parquet": parquetOf(t, 234), "event_type=1/notes.txt": []byte("x")}
	var gets atomic.Int64
	srv := fakeS3(t, objects, &gets)
	defer srv.Close()
	q := Query{Endpoint: srv.URL, Bucket: "bkt", Prefix: "event_type=", AccessKeyID: "k", SecretAccessKey: "s", Rows: true}
	cache := &rowCache{}
	inv, err := take(context.Background(), q, cache, &baselines{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), inv.Files)
	assert.Equal(t, int64(len(objects["event_type=1/a.parquet"])+len(objects["event_type=1/b.parquet"])), inv.Bytes)
	assert.Equal(t, int64(1234), inv.Rows)
	assert.Equal(t, []string{"event_type=1/a.parquet", "event_type=1/b.parquet"}, inv.Sample)
	first := gets.Load()
	again, err := take(context.Background(), q, cache, &baselines{})
	require.NoError(t, err)
	assert.Equal(t, inv, again)
	assert.Equal(t, first, gets.Load(), "a file listed again with the same ETag is not read again")

	q.Match = `/b\.parquet$`
	only, err := take(context.Background(), q, cache, &baselines{})
	require.NoError(t, err)
	assert.Equal(t, int64(234), only.Rows)
}

func TestAFileThatIsNotParquetIsNamed(t *testing.T) {
	objects := map[string][]byte{"event_type=1/a.parquet": []byte("not parquet at all"), "event_type=1/b.parquet": parquetOf(t, 1)}
	var gets atomic.Int64
	srv := fakeS3(t, objects, &gets)
	defer srv.Close()
	_, err := take(context.Background(), Query{Endpoint: srv.URL, Bucket: "bkt", Prefix: "event_type=", Rows: true}, &rowCache{}, &baselines{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading s3://bkt/event_type=1/a.parquet: not a readable parquet file")
}

func TestSinceCountsOnlyWhatTheBaselineDidNotHold(t *testing.T) {
	objects := map[string][]byte{"event_type=1/a.parquet": parquetOf(t, 1000), "event_type=1/b.parquet": parquetOf(t, 234), "event_type=1/notes.txt": []byte("x")}
	var gets atomic.Int64
	srv := fakeS3(t, objects, &gets)
	defer srv.Close()
	known := &baselines{}
	q := Query{Endpoint: srv.URL, Bucket: "bkt", Prefix: "event_type=", Rows: true, Since: "run"}
	first, err := take(context.Background(), q, &rowCache{}, known)
	require.NoError(t, err)
	assert.True(t, first.Recorded)
	assert.Equal(t, int64(2), first.Files)
	assert.Equal(t, int64(0), first.Rows, "the baseline's files are not read")
	assert.Equal(t, int64(0), gets.Load())
	later, err := take(context.Background(), q, &rowCache{}, known)
	require.NoError(t, err)
	assert.False(t, later.Recorded)
	assert.Equal(t, Inventory{Sample: []string{}}, later, "nothing new")
}
