// Keeps secrets out of everything the summary hook writes: setup data (which holds minted tokens and
// merchant keys) is dropped, values under secret-looking keys are masked, and the values of variables
// declared secret in the config are replaced wherever they appear in the rendered text.

import { knownSecrets, maskUrlPasswords } from './config';

export const REDACTED = '[redacted]';

const SECRET_KEY = /token|secret|password|passwd|api[-_]?key|authorization|cookie|credential/i;

/** Deep copy of `value` with secret-looking keys masked. */
export function maskSecretKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecretKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) && inner !== null && typeof inner !== 'object' ? REDACTED : maskSecretKeys(inner);
  }
  return out;
}

/**
 * Replaces every occurrence of each secret (4+ characters; shorter ones would mangle ordinary text),
 * and the password of every `user:password@` in a URL, whatever its length.
 */
export function scrubText(text: string, secrets: string[]): string {
  let out = maskUrlPasswords(text);
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join(REDACTED);
    const quoted = JSON.stringify(s).slice(1, -1); // the secret as it appears inside a JSON string
    if (quoted !== s && quoted.length >= 4) out = out.split(quoted).join(REDACTED);
  }
  return out;
}

/** A log line with every registered secret scrubbed (console output is not scrubbed by the summary hook). */
export function safeLog(message: string): string {
  return scrubText(message, knownSecrets());
}
