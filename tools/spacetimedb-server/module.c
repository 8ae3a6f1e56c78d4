// The benchmark module of seed 000 for a real SpacetimeDB 1.x server (wasm host, ABI spacetime_10.0):
// the tables counters, messages, users (String primary key `id`, a unique btree index on it) and the
// reducers increment, create_message, create_user, as tools/sandbox/spacetimedb/store.ts serves them.
// Freestanding C (Debian's clang + lld, --target=wasm32): no Rust wasm target can be installed on these
// machines. The module definition (RawModuleDef::V9, BSATN) comes from ./describe (spacetimedb-lib
// 1.2.0) as module_def.h. Wire facts: spacetimedb-core 1.2.0, src/host/wasmtime/wasm_instance_env.rs
// (the host calls and their errors) and wasm_common.rs (the exports).
#include "module_def.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
typedef short i16;

#define IMPORT(name) __attribute__((import_module("spacetime_10.0"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(table_id_from_name) u16 table_id_from_name(const u8 *name, u32 len, u32 *out);
IMPORT(index_id_from_name) u16 index_id_from_name(const u8 *name, u32 len, u32 *out);
IMPORT(datastore_index_scan_range_bsatn)
u16 datastore_index_scan_range_bsatn(u32 index, const u8 *prefix, u32 prefix_len, u32 prefix_elems, const u8 *rstart, u32 rstart_len,
                                     const u8 *rend, u32 rend_len, u32 *out);
IMPORT(row_iter_bsatn_advance) i16 row_iter_bsatn_advance(u32 iter, u8 *buf, u32 *len);
IMPORT(row_iter_bsatn_close) u16 row_iter_bsatn_close(u32 iter);
IMPORT(datastore_insert_bsatn) u16 datastore_insert_bsatn(u32 table, u8 *row, u32 *len);
IMPORT(datastore_update_bsatn) u16 datastore_update_bsatn(u32 table, u32 index, u8 *row, u32 *len);
IMPORT(bytes_source_read) i16 bytes_source_read(u32 source, u8 *buf, u32 *len);
IMPORT(bytes_sink_write) u16 bytes_sink_write(u32 sink, const u8 *buf, u32 *len);

// clang may call these for struct copies and zeroing
void *memcpy(void *dst, const void *src, unsigned long n) {
  u8 *d = dst;
  const u8 *s = src;
  while (n--) *d++ = *s++;
  return dst;
}
void *memset(void *dst, int c, unsigned long n) {
  u8 *d = dst;
  while (n--) *d++ = (u8)c;
  return dst;
}

/** errno values of spacetimedb-primitives 1.2.0 (src/errno.rs) this module names. */
#define HOST_CALL_FAILURE 1
#define UNIQUE_ALREADY_EXISTS 12

/** The largest reducer arguments and row (BSATN): 1 MB messages (seed 000's large-message test) fit. */
#define MAX_BYTES (4u << 20)
static u8 args[MAX_BYTES];
static u8 row[MAX_BYTES];
static u8 scan[MAX_BYTES];

static u32 str_len(const char *s) {
  u32 n = 0;
  while (s[n]) n++;
  return n;
}

/** Writes all of `bytes` to `sink` (the host may take them in parts). */
static void sink_all(u32 sink, const u8 *bytes, u32 len) {
  while (len > 0) {
    u32 n = len;
    if (bytes_sink_write(sink, bytes, &n) != 0) return;
    bytes += n;
    len -= n;
  }
}

/** The reducer failed: its message goes to the error sink, the transaction is rolled back. */
static i32 fail(u32 error_sink, const char *message) {
  sink_all(error_sink, (const u8 *)message, str_len(message));
  return HOST_CALL_FAILURE;
}

/** Reads the whole argument source into `args`; returns its length, or -1 when it does not fit. */
static i64 read_args(u32 source) {
  u32 total = 0;
  for (;;) {
    u32 n = MAX_BYTES - total;
    if (n == 0) return -1;
    i16 ret = bytes_source_read(source, args + total, &n);
    total += n;
    if (ret == -1) return total;
    if (ret != 0) return -1;
  }
}

// ---- BSATN: a product is its fields in order; String = u32 LE length + UTF-8; I64/I32 LE; Bool 1 byte ----

typedef struct {
  const u8 *at;
  const u8 *end;
  int bad;
} reader;

static u32 get_u32(reader *r) {
  if (r->end - r->at < 4) {
    r->bad = 1;
    return 0;
  }
  u32 v = (u32)r->at[0] | (u32)r->at[1] << 8 | (u32)r->at[2] << 16 | (u32)r->at[3] << 24;
  r->at += 4;
  return v;
}

static u64 get_u64(reader *r) {
  u64 lo = get_u32(r);
  u64 hi = get_u32(r);
  return lo | hi << 32;
}

/** A String field: skips it, returning where it starts (its length prefix) and its whole BSATN length. */
static const u8 *get_string(reader *r, u32 *bsatn_len) {
  const u8 *start = r->at;
  u32 n = get_u32(r);
  if (r->bad || (u32)(r->end - r->at) < n) {
    r->bad = 1;
    return 0;
  }
  r->at += n;
  *bsatn_len = 4 + n;
  return start;
}

static u8 *put_u32(u8 *at, u32 v) {
  at[0] = (u8)v;
  at[1] = (u8)(v >> 8);
  at[2] = (u8)(v >> 16);
  at[3] = (u8)(v >> 24);
  return at + 4;
}

static u8 *put_u64(u8 *at, u64 v) {
  at = put_u32(at, (u32)v);
  return put_u32(at, (u32)(v >> 32));
}

static u8 *put_bytes(u8 *at, const u8 *bytes, u32 n) {
  memcpy(at, bytes, n);
  return at + n;
}

/** `updated_at` of a counter: the reducer's timestamp as ISO-8601 with milliseconds (`2026-11-30T12:00:00.123Z`). */
static u8 *put_iso(u8 *at, u64 micros) {
  i64 ms = (i64)(micros / 1000);
  i64 days = ms / 86400000;
  i64 in_day = ms % 86400000;
  // civil_from_days (H. Hinnant), days since 1970-01-01
  i64 z = days + 719468;
  i64 era = z / 146097;
  i64 doe = z - era * 146097;
  i64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  i64 y = yoe + era * 400;
  i64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  i64 mp = (5 * doy + 2) / 153;
  i64 d = doy - (153 * mp + 2) / 5 + 1;
  i64 m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y += 1;
  char text[24];
  i64 parts[7] = {y, m, d, in_day / 3600000, in_day / 60000 % 60, in_day / 1000 % 60, in_day % 1000};
  int widths[7] = {4, 2, 2, 2, 2, 2, 3};
  const char seps[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
  int pos = 0;
  for (int i = 0; i < 7; i++) {
    for (int w = widths[i] - 1; w >= 0; w--) {
      i64 v = parts[i];
      for (int k = 0; k < w; k++) v /= 10;
      text[pos++] = (char)('0' + v % 10);
    }
    text[pos++] = seps[i];
  }
  at = put_u32(at, (u32)pos);
  return put_bytes(at, (const u8 *)text, (u32)pos);
}

// ---- the tables ----

static const char *const TABLES[3] = {"counters", "messages", "users"};
static const char *const ID_INDEXES[3] = {"counters_id_idx_btree", "messages_id_idx_btree", "users_id_idx_btree"};
static u32 table_ids[3];
static u32 index_ids[3];
static int resolved;

static int resolve_ids(void) {
  if (resolved) return 1;
  for (int i = 0; i < 3; i++) {
    if (table_id_from_name((const u8 *)TABLES[i], str_len(TABLES[i]), &table_ids[i]) != 0) return 0;
    if (index_id_from_name((const u8 *)ID_INDEXES[i], str_len(ID_INDEXES[i]), &index_ids[i]) != 0) return 0;
  }
  resolved = 1;
  return 1;
}

static const char *const UNIQUE_VIOLATIONS[3] = {
    "Unique constraint violation 'counters_id_key' in table 'counters': a row with this id exists",
    "Unique constraint violation 'messages_id_key' in table 'messages': a row with this id exists",
    "Unique constraint violation 'users_id_key' in table 'users': a row with this id exists",
};

/** Inserts a row of `table` (an id that exists with another row fails the reducer, an identical row changes nothing: the host's set semantics). */
static i32 insert_unique(int table, u32 len, u32 error_sink) {
  u32 n = len;
  u16 err = datastore_insert_bsatn(table_ids[table], row, &n);
  if (err == UNIQUE_ALREADY_EXISTS) return fail(error_sink, UNIQUE_VIOLATIONS[table]);
  if (err != 0) return fail(error_sink, "the insert failed");
  return 0;
}

static i32 increment(reader *r, u64 timestamp, u32 error_sink) {
  u32 id_len;
  const u8 *id = get_string(r, &id_len);
  i64 amount = (i64)get_u64(r);
  if (r->bad || r->at != r->end) return fail(error_sink, "invalid arguments for reducer increment");
  // the counter's row, by the unique index on id: Bound::Included(id) .. Bound::Included(id)
  u8 *bound = row;
  bound[0] = 0;
  put_bytes(bound + 1, id, id_len);
  u32 iter;
  if (datastore_index_scan_range_bsatn(index_ids[0], 0, 0, 0, bound, id_len + 1, bound, id_len + 1, &iter) != 0) {
    return fail(error_sink, "index scan failed");
  }
  u32 found = MAX_BYTES;
  i16 ret = row_iter_bsatn_advance(iter, scan, &found);
  if (ret == 0) row_iter_bsatn_close(iter);
  if (ret != 0 && ret != -1) return fail(error_sink, "reading the counter failed");
  i64 value = amount;
  int exists = found > 0;
  if (exists) {
    reader old = {scan, scan + found, 0};
    u32 n;
    get_string(&old, &n);
    i64 before = (i64)get_u64(&old);
    if (old.bad) return fail(error_sink, "the stored counter is malformed");
    if (__builtin_add_overflow(before, amount, &value)) return fail(error_sink, "The reducer panicked: attempt to add with overflow");
  }
  u8 *at = put_bytes(row, id, id_len);
  at = put_u64(at, (u64)value);
  at = put_iso(at, timestamp);
  u32 len = (u32)(at - row);
  if (!exists) return insert_unique(0, len, error_sink);
  if (datastore_update_bsatn(table_ids[0], index_ids[0], row, &len) != 0) return fail(error_sink, "update failed");
  return 0;
}

/** create_message and create_user take exactly their table's row: checked field by field, then inserted as given. */
static i32 insert_args(int table, reader *r, u32 args_len, u32 error_sink) {
  u32 n; // messages: id, sender, content, timestamp; users: id, username, email, name, then age, created_at, active
  for (int i = 0; i < 4; i++) get_string(r, &n);
  if (table == 2) {
    get_u32(r); // age: I32
    get_string(r, &n); // created_at
    if (r->end - r->at < 1 || r->at[0] > 1) r->bad = 1;
    else r->at += 1; // active: Bool
  }
  if (r->bad || r->at != r->end) return fail(error_sink, table == 1 ? "invalid arguments for reducer create_message" : "invalid arguments for reducer create_user");
  memcpy(row, args, args_len);
  return insert_unique(table, args_len, error_sink);
}

EXPORT(__describe_module__) void describe_module(u32 sink) { sink_all(sink, MODULE_DEF, sizeof MODULE_DEF); }

EXPORT(__call_reducer__)
i32 call_reducer(u32 id, u64 sender_0, u64 sender_1, u64 sender_2, u64 sender_3, u64 conn_id_0, u64 conn_id_1, u64 timestamp, u32 args_source,
                 u32 error_sink) {
  (void)sender_0, (void)sender_1, (void)sender_2, (void)sender_3, (void)conn_id_0, (void)conn_id_1;
  if (!resolve_ids()) return fail(error_sink, "the module's tables or indexes are missing");
  i64 len = read_args(args_source);
  if (len < 0) return fail(error_sink, "the arguments are too large");
  reader r = {args, args + len, 0};
  switch (id) {
    case 0:
      return increment(&r, timestamp, error_sink);
    case 1:
      return insert_args(1, &r, (u32)len, error_sink);
    case 2:
      return insert_args(2, &r, (u32)len, error_sink);
    default:
      return fail(error_sink, "no such reducer");
  }
}
