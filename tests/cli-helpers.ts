// What the command's tests share: running the command in-process with its output captured, and a temporary
// folder per test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../dist/cli/program.js';

/** Runs the command in-process, capturing its output. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await run(argv, { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; }, isTTY: false } });
  return { code, stdout, stderr };
}

/** A test body run with a fresh temporary folder, removed afterwards whatever happens. */
export function withFolder(body: (folder: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const folder = mkdtempSync(join(tmpdir(), 'nninit-test-'));
    try {
      await body(folder);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };
}
