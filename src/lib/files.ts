// Files read in k6's init stage (the only stage where open() works): paths are resolved against the
// working directory, not the script, and every failure becomes a problem line naming the file.
import { configErrorMessage } from './config';

/**
 * open() resolves relative paths against the script; resolve against the working directory instead
 * (`cwd`: the PWD variable the settings stage read; k6 passes the shell's environment).
 */
export function absolutePath(path: string, cwd: string | undefined): string {
  return path.startsWith('/') || !cwd ? path : `${cwd.replace(/\/+$/, '')}/${path}`;
}

/** What a path names, probed with open(); `unknown` when a relative path cannot be resolved (no working directory). */
export function probePath(path: string, cwd: string | undefined): 'missing' | 'file' | 'dir' | 'unknown' {
  if (!path.startsWith('/') && !cwd) return 'unknown';
  try {
    open(absolutePath(path, cwd));
    return 'file';
  } catch (error) {
    const text = String(error);
    // a run from a `k6 archive` opens only the files inside the archive: whatever else it asks for "does not exist" there
    if (/file does not exist/i.test(text)) return 'unknown';
    if (/no such file or directory|not a directory/i.test(text)) return 'missing';
    return /director/i.test(text) ? 'dir' : 'file'; // "can't be used with directories"
  }
}

/** Reads a JSON file; undefined when it does not exist; throws a config error when it cannot be read or parsed. */
export function readJsonFile(path: string, what: string, cwd: string | undefined): unknown {
  let text: string;
  try {
    text = open(absolutePath(path, cwd));
  } catch (error) {
    // "file does not exist": a run from a `k6 archive` sees only the files packed in it
    if (/no such file or directory|file does not exist/i.test(String(error))) return undefined;
    throw configErrorMessage([`${what} ${path} cannot be read: ${String(error)}`]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw configErrorMessage([`${what} ${path} is not valid JSON (${String(error)}): fix or delete it`]);
  }
}
