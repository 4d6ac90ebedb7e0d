// The native anchors: PyTorch and numpy on one thread, measured by bench/native.py in a Python subprocess.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { candidateResult, type CandidateResult } from '../results.js';
import { checkOrthogonality, checkStd } from '../sanity.js';
import type { Workload } from '../workloads.js';

/** Debian's interpreter, where apt installs python3-torch, python3-numpy and python3-scipy. */
const PYTHON = '/usr/bin/python3';
const INSTALL_HINT = 'apt-get install python3-torch python3-numpy';

/** One thread everywhere, as every JavaScript candidate has; native.py also calls torch.set_num_threads(1). */
const SINGLE_THREAD = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

interface MeasuredEntry {
  readonly candidate: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
  /** Set for the value workloads. */
  readonly std?: number;
  /** Set for the orthogonal workloads. */
  readonly orthogonalityError?: number;
}

type NativeEntry = MeasuredEntry | { readonly candidate: string; readonly error: string };

interface NativeOutput {
  readonly python: string;
  readonly torch: string | null;
  readonly numpy: string | null;
  readonly missing: readonly string[];
  readonly results: Record<string, readonly NativeEntry[]>;
}

export interface NativeRun {
  readonly versions: { readonly python: string | null; readonly torch: string | null; readonly numpy: string | null };
  /** Results per workload id. */
  readonly results: ReadonlyMap<string, CandidateResult[]>;
  readonly notes: readonly string[];
}

function runPython(input: string): Promise<string> {
  const script = fileURLToPath(new URL('../native.py', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script], { env: { ...process.env, ...SINGLE_THREAD }, stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${PYTHON} bench/native.py exited with code ${code}`))));
    child.stdin.end(input);
  });
}

function resultOf(entry: NativeEntry, workload: Workload): CandidateResult {
  if ('error' in entry) {
    return candidateResult(entry.candidate, 'native', workload.values, null, { ok: false, detail: `✗ ${entry.error}` }, { error: entry.error });
  }
  const sanity = entry.orthogonalityError === undefined
    ? checkStd(entry.std ?? Number.NaN, workload.expectedStd)
    : checkOrthogonality(entry.orthogonalityError);
  return candidateResult(entry.candidate, 'native', workload.values, entry, sanity);
}

export async function measureNative(workloads: readonly Workload[]): Promise<NativeRun> {
  let output: NativeOutput;
  try {
    output = JSON.parse(await runPython(JSON.stringify({ workloads }))) as NativeOutput;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${PYTHON} not found` : (error as Error).message;
    return { versions: { python: null, torch: null, numpy: null }, results: new Map(), notes: [`PyTorch and numpy skipped (${reason}): ${INSTALL_HINT}`] };
  }
  const results = new Map(workloads.map((workload) => [workload.id, (output.results[workload.id] ?? []).map((entry) => resultOf(entry, workload))]));
  const notes = output.missing.length ? [`${output.missing.join(' and ')} not importable by ${PYTHON}, so skipped: ${INSTALL_HINT}`] : [];
  return { versions: { python: output.python, torch: output.torch, numpy: output.numpy }, results, notes };
}
