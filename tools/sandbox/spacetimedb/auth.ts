// Identities and tokens the way a standalone host mints them: an ES256 JWT whose claims are
// {hex_identity, sub, iss, aud, iat, exp}, signed by a key generated when the sandbox starts.
// The identity is derived from (iss, sub) with a `c200` prefix; the real host hashes with blake3,
// the sandbox with sha256 (clients never recompute it).
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

export interface Caller {
  /** 64 lowercase hex characters, no 0x. */
  hex: string;
  token: string;
  /** SATS-JSON of the Identity: {"__identity__":"0x..."} */
  json: string;
}

export type AuthResult = { ok: true; caller: Caller; minted: boolean } | { ok: false; status: number; message: string };

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const HEADER = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256' }));
const ISSUER = 'localhost';

export class Authority {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly verified = new Map<string, Caller>();
  minted = 0;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** A fresh identity and its token (POST /v1/identity, or any request that carries no token). */
  mint(): Caller {
    this.minted += 1;
    const sub = randomUUID();
    const hex = `c200${createHash('sha256').update(`${ISSUER}|${sub}`).digest('hex').slice(0, 60)}`;
    const claims = b64url(
      JSON.stringify({
        hex_identity: hex,
        sub,
        iss: ISSUER,
        aud: ['spacetimedb'],
        iat: Math.floor(Date.now() / 1000),
        exp: null,
      }),
    );
    const signingInput = `${HEADER}.${claims}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    const caller = makeCaller(hex, `${signingInput}.${b64url(signature)}`);
    this.remember(caller);
    return caller;
  }

  /** Checks a token this sandbox signed; verified tokens are cached, so reuse costs a Map lookup. */
  verifyToken(token: string): AuthResult {
    const cached = this.verified.get(token);
    if (cached) return { ok: true, caller: cached, minted: false };
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, status: 400, message: 'Authorization is invalid: malformed token' };
    let hex: unknown;
    try {
      hex = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { hex_identity?: unknown }).hex_identity;
    } catch {
      return { ok: false, status: 400, message: 'Authorization is invalid: malformed token' };
    }
    const good =
      typeof hex === 'string' &&
      /^[0-9a-f]{64}$/.test(hex) &&
      verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
    if (!good) return { ok: false, status: 401, message: 'Authorization failed: token not signed by this instance' };
    const caller = makeCaller(hex as string, token);
    this.remember(caller);
    return { ok: true, caller, minted: false };
  }

  /**
   * The caller of an HTTP request or WebSocket upgrade: `Authorization: Bearer <token>` first, then
   * `?token=`; without either, a fresh identity is minted (what the real host does on every such request).
   */
  authenticate(authorization: string | undefined, query: string | undefined): AuthResult {
    let token: string | null = null;
    if (authorization) {
      const space = authorization.indexOf(' ');
      if (space < 0 || authorization.slice(0, space).toLowerCase() !== 'bearer') {
        return { ok: false, status: 400, message: 'Authorization is invalid: malformed token' };
      }
      token = authorization.slice(space + 1).trim();
    } else if (query?.includes('token=')) {
      token = new URLSearchParams(query).get('token');
    }
    if (token) return this.verifyToken(token);
    return { ok: true, caller: this.mint(), minted: true };
  }

  private remember(caller: Caller): void {
    if (this.verified.size >= 200_000) this.verified.clear();
    this.verified.set(caller.token, caller);
  }
}

function makeCaller(hex: string, token: string): Caller {
  return { hex, token, json: `{"__identity__":"0x${hex}"}` };
}

/** A random non-zero ConnectionId as the bare decimal u128 that v1 JSON uses. */
export function randomConnectionId(): { hex: string; decimal: string } {
  for (;;) {
    const hex = randomBytes(16).toString('hex');
    const value = BigInt(`0x${hex}`);
    if (value !== 0n) return { hex, decimal: value.toString() };
  }
}

/** Parses a `?connection_id=` value (32 hex characters); null when invalid. */
export function parseConnectionId(hex: string): { hex: string; decimal: string } | null {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{1,32}$/.test(clean)) return null;
  const value = BigInt(`0x${clean}`);
  return { hex: value.toString(16).padStart(32, '0'), decimal: value.toString() };
}

/** Database identity for the sandbox's one database, derived from its name so it is stable. */
export function databaseIdentity(name: string): string {
  return `c200${createHash('sha256').update(`database|${name}`).digest('hex').slice(0, 60)}`;
}
