// Package s3parquet is a k6 extension (JS module "k6/x/s3parquet") that takes the inventory of the
// parquet files a system under test wrote to an S3 bucket: it lists the objects under a prefix with
// SigV4-signed ListObjectsV2 requests (minio-go), and counts their files, bytes and, on request, rows
// (each file's footer read with parquet-go through ranged GETs). The event-ingestion family uses it to
// prove that every event sent reached the server's parquet output.
package s3parquet

import "go.k6.io/k6/v2/js/modules"

// ImportPath is the JS import path of the module.
const ImportPath = "k6/x/s3parquet"

func init() {
	modules.Register(ImportPath, New())
}
