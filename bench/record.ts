// What every benchmark script records beside its measurements, and where it writes them: bench/results/<name>.json,
// committed, so that each figure the README quotes can be checked against the run it came from (and the README's
// goals table is generated from these files: bench/goals.ts).

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS = join(ROOT, 'bench', 'results');

export interface RunFacts {
  /** ISO 8601 time the run started. */
  readonly date: string;
  /** HEAD, with '+modified' when src/, assembly/ or bench/ differ from it; null outside a git checkout. */
  readonly commit: string | null;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly totalMemoryBytes: number; readonly os: string };
  readonly versions: Readonly<Record<string, string | null>>;
  /** os.loadavg() (1, 5 and 15 minutes) when the run started and when it ended: how shared the machine was. */
  readonly load: { readonly before: readonly number[]; after?: readonly number[] };
}

/** The machine a run is on. */
export function machine(): RunFacts['machine'] {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, totalMemoryBytes: os.totalmem(), os: `${os.type()} ${os.release()} ${os.arch()}` };
}

/** The version of an installed package (node_modules/<name>), or null when it is missing. */
export function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** nninit's own version (package.json). */
export function nninitVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** HEAD, with '+modified' when one of `folders` differs from it; null outside a git checkout. */
export function commit(folders: readonly string[] = ['src', 'assembly', 'bench']): string | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const modified = git('status', '--porcelain', '--', ...folders) !== '';
    return git('rev-parse', 'HEAD') + (modified ? '+modified' : '');
  } catch {
    return null;
  }
}

/** The facts of a run starting now; pass more versions (PyTorch's, say) as they become known. */
export function startRun(versions: Readonly<Record<string, string | null>> = {}): RunFacts {
  return {
    date: new Date().toISOString(),
    commit: commit(),
    machine: machine(),
    versions: {
      nninit: nninitVersion(),
      node: process.version,
      v8: process.versions.v8,
      assemblyscript: packageVersion('assemblyscript'),
      ...versions,
    },
    load: { before: os.loadavg() },
  };
}

/** Median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Writes `{ ...facts, load: { before, after: now }, ...results }` to `path` (default bench/results/<name>.json)
 * through a temporary file (bench/results/*.tmp.json is ignored by git), and returns the path to show: relative
 * to the current folder when inside it.
 */
export function writeResults(name: string, facts: RunFacts, results: object, path = join(RESULTS, `${name}.json`)): string {
  const report = { benchmark: name, ...facts, load: { before: facts.load.before, after: os.loadavg() }, ...results };
  mkdirSync(dirname(path), { recursive: true });
  const temporary = path.replace(/(\.json)?$/, `.${process.pid}.tmp.json`);
  writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temporary, path);
  const shown = relative(process.cwd(), path);
  return shown && !shown.startsWith('..') ? shown : path;
}

/** os.loadavg() as text: "1.85 1.57 2.25". */
export const loadText = (load: readonly number[] = os.loadavg()): string => load.map((x) => x.toFixed(2)).join(' ');
