// A PyTorch timer in a /usr/bin/python3 child on one thread: the script prints its version first, then answers
// each request line with one line (the milliseconds its own calls took). Used where a benchmark compares nninit
// with PyTorch call by call.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const PYTHON = '/usr/bin/python3';

export interface PythonTimer {
  /** The first line the script printed (torch.__version__). */
  readonly version: string;
  /** Sends one request line and resolves to the script's answer line. */
  ask(line: string): Promise<string>;
  stop(): void;
}

/**
 * Starts `script`; resolves to undefined when Python or its imports are missing (the script prints nothing).
 * `stderr: 'inherit'` shows Python's errors (a traceback) where a caller has no fallback without PyTorch.
 */
export async function startPythonTimer(script: string, stderr: 'ignore' | 'inherit' = 'ignore'): Promise<PythonTimer | undefined> {
  const child = spawn(PYTHON, ['-c', script], {
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    stdio: ['pipe', 'pipe', stderr],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value as string | undefined;
  const failed = new Promise<undefined>((resolve) => child.once('error', () => resolve(undefined)));
  const version = await Promise.race([next(), failed]);
  if (version === undefined) {
    child.kill();
    return undefined;
  }
  return {
    version,
    async ask(line) {
      child.stdin.write(`${line}\n`);
      return (await next()) ?? '';
    },
    stop: () => child.stdin.end(),
  };
}
