// The one typed reader for __ENV. Each scenario declares the variables it reads with a default and a
// rule; readConfig validates them all in the init stage and throws one message that names every bad
// variable, the value given and what is allowed, so k6 stops (exit 107) before any request is sent.
// The message is thrown as a plain one-line string: k6 prints a thrown string as it is, where an
// Error would come with a stack trace and escaped newlines.
// Plain TypeScript (no k6 import) so unit tests can run it directly.
import { parseDurationMs } from '../shared/format';

export { parseDurationMs };

export interface Rule<T> {
  /** Used when the variable is unset or empty. */
  default: T;
  /** Human description of the accepted values, shown in error messages. */
  allowed: string;
  /** Whether the value is a secret: readConfig registers it so the summary hook can scrub it. */
  secret?: boolean;
  /** Secret parts of a valid value (a password inside a URL), registered for scrubbing too. */
  secretsOf?: (value: T) => string[];
  parse(raw: string): T | undefined;
}

/** The one-line message readConfig throws (as a string) for the given problems. */
export function configErrorMessage(problems: string[]): string {
  return `invalid configuration: ${problems.join('; ')}`;
}

/** A value for an error message: one line, with the password of any user:password@ in it masked. */
const show = (raw: string) => `'${maskUrlPasswords(raw.replace(/[\r\n]+/g, ' '))}'`;

/** `scheme://user:password@host` → `scheme://user:[redacted]@host`, for any password length. */
export function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/@:\s'"]*:)[^/@\s'"]+@/gi, '$1[redacted]@');
}

const secretValues = new Set<string>();

/** Values of every variable declared secret that readConfig has read (never printed). */
export function knownSecrets(): string[] {
  return [...secretValues];
}

/**
 * Registers secrets read from elsewhere than a variable (the merchant keys of a MERCHANT_POOL file), so
 * safeLog and the summary hook scrub them like declared ones. Call it in init: every VU and the summary
 * hook run init code of their own.
 */
export function registerSecrets(values: readonly string[]): void {
  for (const value of values) if (value) secretValues.add(value);
}

/** The parsed values of a rule set, by variable name. */
export type Values<S> = { [K in keyof S]: S[K] extends Rule<infer T> ? T : never };

/** A rule set: variable name → rule. */
// biome-ignore lint/suspicious/noExplicitAny: Rule<T> is invariant (parse and secretsOf take and give T), so Rule<unknown> would refuse Rule<string>
export type Rules = Record<string, Rule<any>>;

/**
 * Reads every variable of `rules` from `env` without throwing: the values (defaults for unset, empty
 * or invalid ones) and one problem line per invalid variable. Secrets are registered for scrubbing.
 */
export function collectConfig<S extends Rules>(rules: S, env: Record<string, string | undefined> = __ENV): { values: Values<S>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    const raw = env[name];
    values[name] = rule.default;
    if (raw === undefined || raw.trim() === '') continue;
    const parsed = rule.parse(raw.trim());
    if (parsed === undefined) {
      const shown = rule.secret ? '(secret, not shown)' : show(raw);
      problems.push(`${name}=${shown} is not valid, expected ${rule.allowed}`);
      continue;
    }
    if (rule.secret && typeof parsed === 'string') secretValues.add(parsed);
    for (const part of rule.secretsOf?.(parsed) ?? []) secretValues.add(part);
    values[name] = parsed;
  }
  return { values: values as Values<S>, problems };
}

/** Reads and validates `rules`; throws one message naming every invalid variable (see configErrorMessage). */
export function readConfig<S extends Rules>(rules: S, env: Record<string, string | undefined> = __ENV): Values<S> {
  const { values, problems } = collectConfig(rules, env);
  if (problems.length > 0) throw configErrorMessage(problems);
  return values;
}

// ---- rules ---------------------------------------------------------------------------------------

export function int(def: number, range: { min?: number; max?: number } = {}): Rule<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  return {
    default: def,
    allowed: `an integer${describeRange(min, max)}`,
    parse: (raw) => {
      if (!/^[+-]?\d+$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= min && n <= max ? n : undefined;
    },
  };
}

export function num(def: number, range: { min?: number; max?: number } = {}): Rule<number> {
  const { min = -Infinity, max = Infinity } = range;
  return {
    default: def,
    allowed: `a number${describeRange(min, max)}`,
    parse: (raw) => {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= min && n <= max ? n : undefined;
    },
  };
}

function describeRange(min: number, max: number): string {
  const lo = Number.isFinite(min) && min > Number.MIN_SAFE_INTEGER;
  const hi = Number.isFinite(max) && max < Number.MAX_SAFE_INTEGER;
  if (lo && hi) return ` from ${min} to ${max}`;
  if (lo) return ` >= ${min}`;
  if (hi) return ` <= ${max}`;
  return '';
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

export function bool(def: boolean): Rule<boolean> {
  return {
    default: def,
    allowed: `a boolean (${TRUE.join('/')} or ${FALSE.join('/')})`,
    parse: (raw) => {
      const v = raw.toLowerCase();
      if (TRUE.includes(v)) return true;
      if (FALSE.includes(v)) return false;
      return undefined;
    },
  };
}

export function oneOf<T extends string>(values: readonly T[], def: T): Rule<T> {
  return {
    default: def,
    allowed: `one of ${values.join(', ')}`,
    parse: (raw) => ((values as readonly string[]).includes(raw) ? (raw as T) : undefined),
  };
}

export function str(def: string, options: { secret?: boolean; pattern?: RegExp; allowed?: string } = {}): Rule<string> {
  return {
    default: def,
    secret: options.secret,
    allowed: options.allowed ?? (options.pattern ? `text matching ${options.pattern}` : 'any text'),
    parse: (raw) => (options.pattern && !options.pattern.test(raw) ? undefined : raw),
  };
}

/** A secret string (token, API key): registered for scrubbing, never echoed in errors. */
export function secret(def = ''): Rule<string> {
  return str(def, { secret: true });
}

/** A k6 duration ("30s", "1m30s"); kept as the string k6 expects, validated as positive (or zero with `allowZero`). */
export function duration(def: string, options: { allowZero?: boolean } = {}): Rule<string> {
  return {
    default: def,
    allowed: `a duration like 500ms, 30s, 5m, 1h or 1m30s (${options.allowZero ? '0s for none' : 'greater than zero'})`,
    parse: (raw) => {
      const ms = parseDurationMs(raw);
      return ms !== undefined && (ms > 0 || (options.allowZero && ms === 0)) ? raw : undefined;
    },
  };
}

/** An absolute http(s)/ws(s) URL; returned without a trailing slash. */
export function url(def: string, schemes: readonly string[] = ['http', 'https']): Rule<string> {
  return {
    default: def,
    allowed: `an absolute URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`,
    parse: (raw) => {
      const match = /^([a-z]+):\/\/([^/?#\s]+)(\/[^\s]*)?$/i.exec(raw);
      if (!match || !schemes.includes(match[1].toLowerCase())) return undefined;
      return raw.replace(/\/+$/, '');
    },
    // https://user:password@host: the password must not reach the summary or the result file
    secretsOf: (value) => {
      const password = /^[a-z]+:\/\/[^/@:]*:([^/@]+)@/i.exec(value)?.[1];
      return password ? [password, decodeURIComponent(password)] : [];
    },
  };
}
