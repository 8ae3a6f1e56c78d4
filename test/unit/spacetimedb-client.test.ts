import { describe, expect, it } from 'vitest';
import { encodeArgs, encodeSats, sqlString } from '../../src/lib/spacetimedb/sats';
import { classifyCallStatus } from '../../src/lib/spacetimedb/http-client';
import { missingReducers, parseReducers } from '../../src/lib/spacetimedb/preflight';
import { SPACETIME_SETTINGS, spacetimeUrls } from '../../src/lib/spacetimedb/config';
import { readSettings } from '../../src/lib/settings';

/** The script's settings stage on the given variables: its own values plus the URLs. */
const readSpacetimeConfig = (env: Record<string, string>) => {
  const own = readSettings(SPACETIME_SETTINGS, env).own;
  return { ...own, ...spacetimeUrls(own) };
};
import { MODULE_DEF_V9_JSON } from '../../tools/sandbox/spacetimedb/module';

describe('SATS-JSON argument encoding', () => {
  it('encodes reducer arguments as a JSON array in parameter order', () => {
    expect(encodeArgs(['counter_42', 5])).toBe('["counter_42",5]');
    expect(encodeArgs(['id', 'bob', 'b@x', 'Bob', 30, '2026-01-01T00:00:00Z', true])).toBe('["id","bob","b@x","Bob",30,"2026-01-01T00:00:00Z",true]');
  });
  it('keeps i64/u64 beyond 2^53 exact', () => {
    expect(encodeArgs([9007199254740993n, -9223372036854775808n])).toBe('[9007199254740993,-9223372036854775808]');
  });
  it('encodes Option, bytes, Identity and Timestamp the SATS way', () => {
    expect(encodeSats({ some: 'x' })).toBe('{"some":"x"}');
    expect(encodeSats({ none: [] })).toBe('{"none":[]}');
    expect(encodeSats(new Uint8Array([0, 15, 255]))).toBe('"000fff"');
    expect(encodeSats({ __identity__: '0xab' })).toBe('{"__identity__":"0xab"}');
    expect(encodeSats({ __timestamp_micros_since_unix_epoch__: 1700000000000000n })).toBe('{"__timestamp_micros_since_unix_epoch__":1700000000000000}');
  });
  it('escapes strings and refuses non-finite numbers', () => {
    expect(encodeArgs(['a"b\n'])).toBe('["a\\"b\\n"]');
    expect(() => encodeArgs([NaN])).toThrow(/cannot carry NaN/);
    expect(sqlString("o'neil")).toBe("'o''neil'");
  });
});

describe('HTTP reducer call outcomes', () => {
  it('classifies the host answers', () => {
    expect(classifyCallStatus(200, 0)).toBe('committed');
    expect(classifyCallStatus(530, 0)).toBe('failed');
    expect(classifyCallStatus(402, 0)).toBe('out_of_energy');
    expect(classifyCallStatus(415, 0)).toBe('bad_request');
    expect(classifyCallStatus(404, 0)).toBe('not_found');
    expect(classifyCallStatus(403, 0)).toBe('rejected');
    expect(classifyCallStatus(0, 1050)).toBe('timeout');
    expect(classifyCallStatus(0, 1212)).toBe('unavailable');
    expect(classifyCallStatus(503, 0)).toBe('error');
  });
});

describe('module schema check', () => {
  const reducers = parseReducers(MODULE_DEF_V9_JSON);
  it('reads reducer names and parameters from a RawModuleDefV9', () => {
    expect(reducers.find((r) => r.name === 'increment')?.params).toEqual(['counter_id', 'amount']);
    expect(reducers.find((r) => r.name === 'create_user')?.params).toHaveLength(7);
  });
  it('names missing reducers and arity mismatches', () => {
    expect(missingReducers(reducers, { increment: 2, create_message: 4 })).toEqual([]);
    expect(missingReducers(reducers, { increment: 3, nope: 1 })).toEqual([
      'reducer increment takes 2 arguments (counter_id, amount), the scenario sends 3',
      'reducer nope is missing',
    ]);
  });
});

describe('SpacetimeDB config', () => {
  it('has the seed defaults and builds the URLs', () => {
    const c = readSpacetimeConfig({});
    expect(c).toMatchObject({
      SPACETIME_HOST: 'localhost',
      SPACETIME_PORT: 3000,
      SPACETIME_DATABASE: 'benchmark',
      USE_WEBSOCKET: true,
      READ_WRITE_RATIO: 0.7,
      MESSAGE_SIZE: 1000,
      BATCH_SIZE: 10,
    });
    expect(c.wsUrl).toBe('ws://localhost:3000/v1/database/benchmark/subscribe');
    const ssl = readSpacetimeConfig({ SPACETIME_SSL: 'true', SPACETIME_HOST: 'db.example.test', SPACETIME_PORT: '443' });
    expect(ssl.httpUrl).toBe('https://db.example.test:443');
    expect(ssl.wsUrl).toBe('wss://db.example.test:443/v1/database/benchmark/subscribe');
  });
  it('rejects bad values together', () => {
    let message = '';
    try {
      readSpacetimeConfig({ SPACETIME_PORT: '70000', READ_WRITE_RATIO: '2', SCENARIO: 'bogus' });
    } catch (thrown) {
      message = String(thrown); // readConfig throws its one-line message as a string
    }
    expect(message).toContain("SPACETIME_PORT='70000' is not valid, expected an integer from 1 to 65535");
    expect(message).toContain("READ_WRITE_RATIO='2' is not valid, expected a number from 0 to 1");
    expect(message).toContain("SCENARIO='bogus' is not valid, expected one of counter, message, users, mixed, batch, websocketStress, pipeline, all");
  });
});
