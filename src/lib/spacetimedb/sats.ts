// SATS-JSON, the JSON form of SpacetimeDB values, for reducer arguments: integers (i64/u64 too) are
// plain JSON numbers (a bigint is written as its exact digits, so an i64 beyond 2^53 is not rounded),
// bytes a hex string, and sum types, Option ({"some": v} / {"none": []}), Identity
// ({"__identity__": "0x.."}), Timestamp and TimeDuration are plain objects of that shape.

export type SatsValue = string | number | bigint | boolean | null | Uint8Array | SatsValue[] | { [key: string]: SatsValue };

function hex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 1) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return out;
}

/** JSON text of one SATS value. */
export function encodeSats(value: SatsValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`SATS-JSON cannot carry ${value}`);
    return JSON.stringify(value);
  }
  if (value instanceof Uint8Array) return JSON.stringify(hex(value));
  if (Array.isArray(value)) return `[${value.map(encodeSats).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${encodeSats(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A reducer's arguments in parameter order, as the JSON array text both HTTP and WebSocket carry. */
export function encodeArgs(args: SatsValue[]): string {
  return encodeSats(args);
}

/** Single-quoted SQL string literal (SpacetimeDB SQL doubles embedded quotes). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
