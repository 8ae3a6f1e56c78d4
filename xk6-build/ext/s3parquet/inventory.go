package s3parquet

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/parquet-go/parquet-go"
)

// Query says which objects to take stock of, and how to reach them.
type Query struct {
	// Endpoint is the S3 server's URL (http://host:port or https://host); a path is not allowed.
	Endpoint string
	// Bucket, and the key prefix listed in it ("" lists the bucket).
	Bucket string
	Prefix string
	// Match, when set, is a regular expression a key must match (beside ending in .parquet) to count.
	Match string
	// AccessKeyID and SecretAccessKey sign the requests (SigV4); the secret appears in no error.
	AccessKeyID     string
	SecretAccessKey string
	// Region signs the requests (default us-east-1).
	Region string
	// Rows asks for the rows of every file, read from its footer.
	Rows bool
	// Since names a baseline: the first query with a name records every key it lists (with its ETag)
	// and reads no rows; later queries with that name count only the keys not recorded (new, or
	// rewritten with another ETag). "" counts everything listed.
	Since string
}

// Inventory is what a Query found: parquet files (keys ending in .parquet) only.
type Inventory struct {
	Files int64 `js:"files"`
	Bytes int64 `js:"bytes"`
	// Rows is the sum of the files' row counts (their footers' num_rows); 0 unless Query.Rows.
	Rows int64 `js:"rows"`
	// Sample is the first keys found (at most sampleKeys), in listing order.
	Sample []string `js:"sample"`
	// Recorded says this query recorded the baseline Query.Since (its counts are of everything listed, rows unread).
	Recorded bool `js:"recorded"`
}

// baselines are the keys (with their ETags) recorded per Query.Since name, for the whole k6 process.
type baselines struct {
	mu   sync.Mutex
	sets map[string]map[string]string
}

// open returns the named baseline and whether it is new (to be recorded by this query).
func (b *baselines) open(name string) (map[string]string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sets == nil {
		b.sets = map[string]map[string]string{}
	}
	if set, ok := b.sets[name]; ok {
		return set, false
	}
	set := map[string]string{}
	b.sets[name] = set
	return set, true
}

const sampleKeys = 3

// rowCache remembers the rows of a file by bucket, key and ETag: a file written once is read once,
// however often its prefix is listed.
type rowCache struct {
	mu   sync.Mutex
	rows map[string]int64
}

func (c *rowCache) get(id string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.rows[id]
	return n, ok
}

func (c *rowCache) put(id string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil {
		c.rows = map[string]int64{}
	}
	c.rows[id] = n
}

// client builds a minio-go client for the query's endpoint (path-style addressing, as S3 gateways expect).
func client(q Query) (*minio.Client, error) {
	u, err := url.Parse(q.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("S3 endpoint %q is not an http(s) URL (like http://127.0.0.1:7070)", q.Endpoint)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("S3 endpoint %q has a path: give the server's URL only (the bucket is separate)", q.Endpoint)
	}
	region := q.Region
	if region == "" {
		region = "us-east-1"
	}
	return minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(q.AccessKeyID, q.SecretAccessKey, ""),
		Secure:       u.Scheme == "https",
		Region:       region,
		BucketLookup: minio.BucketLookupPath,
		// an unreachable server is reported after a few tries, not minio-go's default ten
		MaxRetries: 3,
	})
}

// take lists the query's objects and counts its parquet files, their bytes and (with q.Rows) rows.
// Errors name the bucket, the prefix and S3's own code (AccessDenied, NoSuchBucket, …), never the secret.
func take(ctx context.Context, q Query, cache *rowCache, known *baselines) (Inventory, error) {
	inv := Inventory{Sample: []string{}}
	var baseline map[string]string
	if q.Since != "" {
		baseline, inv.Recorded = known.open(q.Since)
		if inv.Recorded {
			q.Rows = false // what was there before is counted, not read
		}
	}
	var match *regexp.Regexp
	if q.Match != "" {
		var err error
		if match, err = regexp.Compile(q.Match); err != nil {
			return inv, fmt.Errorf("match %q is not a regular expression: %w", q.Match, err)
		}
	}
	c, err := client(q)
	if err != nil {
		return inv, err
	}
	where := fmt.Sprintf("s3://%s/%s at %s", q.Bucket, q.Prefix, q.Endpoint)
	var toRead []minio.ObjectInfo
	for obj := range c.ListObjects(ctx, q.Bucket, minio.ListObjectsOptions{Prefix: q.Prefix, Recursive: true}) {
		if obj.Err != nil {
			if minio.ToErrorResponse(obj.Err).Code == "" { // no S3 answer: DNS, a refused connection, a timeout
				return inv, fmt.Errorf("listing %s: %s: check S3_ENDPOINT (and that the S3 server is running)", where, obj.Err)
			}
			return inv, fmt.Errorf("listing %s: %s", where, describe(obj.Err))
		}
		if !strings.HasSuffix(obj.Key, ".parquet") || (match != nil && !match.MatchString(obj.Key)) {
			continue
		}
		if baseline != nil {
			if inv.Recorded {
				known.mu.Lock()
				baseline[obj.Key] = obj.ETag
				known.mu.Unlock()
			} else {
				known.mu.Lock()
				etag, seen := baseline[obj.Key]
				known.mu.Unlock()
				if seen && etag == obj.ETag {
					continue
				}
			}
		}
		inv.Files++
		inv.Bytes += obj.Size
		if len(inv.Sample) < sampleKeys {
			inv.Sample = append(inv.Sample, obj.Key)
		}
		if q.Rows {
			toRead = append(toRead, obj)
		}
	}
	rows, err := readRows(ctx, c, q.Bucket, toRead, cache)
	inv.Rows = rows
	return inv, err
}

// footerReaders is how many footers are read at once (a run with the running EventID makes thousands of small files).
const footerReaders = 8

// readRows sums the rows of the objects, footerReaders at a time; the first error wins.
func readRows(ctx context.Context, c *minio.Client, bucket string, objs []minio.ObjectInfo, cache *rowCache) (int64, error) {
	var (
		mu    sync.Mutex
		total int64
		first error
		wg    sync.WaitGroup
	)
	next := make(chan minio.ObjectInfo)
	for range min(footerReaders, len(objs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for obj := range next {
				n, err := rowsOf(ctx, c, bucket, obj, cache)
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("reading s3://%s/%s: %s", bucket, obj.Key, err)
				}
				total += n
				mu.Unlock()
			}
		}()
	}
	for _, obj := range objs {
		if ctx.Err() != nil {
			break
		}
		next <- obj
	}
	close(next)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = fmt.Errorf("reading the footers of %d files: %w", len(objs), ctx.Err())
	}
	return total, first
}

// rowsOf reads one file's row count from its footer (parquet-go over ranged GETs: the footer, not the data).
func rowsOf(ctx context.Context, c *minio.Client, bucket string, obj minio.ObjectInfo, cache *rowCache) (int64, error) {
	id := bucket + "/" + obj.Key + "@" + obj.ETag
	if n, ok := cache.get(id); ok {
		return n, nil
	}
	o, err := c.GetObject(ctx, bucket, obj.Key, minio.GetObjectOptions{})
	if err != nil {
		return 0, errors.New(describe(err))
	}
	defer o.Close() //nolint:errcheck // a read-only object
	f, err := parquet.OpenFile(o, obj.Size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if ctx.Err() != nil { // out of time: the file is not to blame
		return 0, ctx.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("not a readable parquet file: %s", describe(err))
	}
	n := f.NumRows()
	cache.put(id, n)
	return n, nil
}

// describe gives S3's own code and message for an S3 error response (with the fix for the common
// ones), else the error's text.
func describe(err error) string {
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case "":
		return err.Error()
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "XAdminUserNotFound":
		return fmt.Sprintf("%s (%s): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", resp.Code, resp.Message)
	case "NoSuchBucket":
		return fmt.Sprintf("%s (%s): check S3_BUCKET", resp.Code, resp.Message)
	default:
		return fmt.Sprintf("%s (%s)", resp.Code, resp.Message)
	}
}
