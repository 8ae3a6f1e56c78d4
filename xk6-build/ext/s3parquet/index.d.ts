// Types of the k6 extension module 'k6/x/s3parquet' (xk6-build/ext/s3parquet): the inventory of the
// parquet files under a prefix of an S3 bucket (SigV4-signed ListObjectsV2; rows from each file's
// footer). Run scripts that import it with K6_AUTO_EXTENSION_RESOLUTION=false.
declare module 'k6/x/s3parquet' {
  export interface InventoryOptions {
    /** The S3 server's URL, http(s)://host[:port], no path. */
    endpoint: string;
    bucket: string;
    /** Key prefix to list ('' = the whole bucket). */
    prefix?: string;
    /** A regular expression (Go syntax) a key must match to count; keys must end in .parquet in any case. */
    match?: string;
    accessKeyId: string;
    /** Signs the requests; never appears in an error. */
    secretAccessKey: string;
    /** Default 'us-east-1'. */
    region?: string;
    /** Read every file's row count from its footer (cached per key and ETag). Default false. */
    rows?: boolean;
    /**
     * A baseline's name: the first call with it records every key listed (with its ETag) and reads no
     * rows; later calls with it count only keys it did not record (new, or rewritten). Per k6 process.
     */
    since?: string;
    /** Bound of the whole call in ms. Default 60000. */
    timeoutMs?: number;
  }

  export interface Inventory {
    files: number;
    bytes: number;
    /** Sum of the files' rows; 0 without `rows: true`. */
    rows: number;
    /** The first keys found (at most 3). */
    sample: string[];
    /** This call recorded the baseline `since` (its counts are of everything listed, rows unread). */
    recorded: boolean;
  }

  /** Lists and counts; blocking (call it from setup() or teardown()). Throws an Error naming the problem. */
  export function inventory(options: InventoryOptions): Inventory;
}
