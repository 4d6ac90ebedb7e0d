/// <reference types="node" />
// Where the command writes: -o's folder is checked before anything is read (its nearest existing folder must be a
// writable folder), created with any missing parents just before the write, and removed again when the write
// fails or is interrupted, so that a failed run leaves nothing behind. The same for every output format.

import { rmdirSync } from 'node:fs';
import { access, constants, mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from './errors.js';

/** Checks that `folder` exists as a writable folder, or can be created: its nearest existing ancestor is one. */
export async function checkOutputFolder(flag: string, folder: string): Promise<void> {
  let existing = folder;
  let info = await stat(existing).catch(() => undefined);
  while (!info) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
    info = await stat(existing).catch(() => undefined);
  }
  if (!info?.isDirectory()) throw new InputError(`${flag}: ${existing} is not a folder`);
  try {
    await access(existing, constants.W_OK);
  } catch {
    throw new InputError(`${flag}: the folder ${existing} is not writable${existing === folder ? '' : ` (it would hold ${folder})`}`);
  }
}

/** Folders this process created for its output and has not removed yet, innermost last. */
const created: string[] = [];

/** The folders from the first one missing down to `folder`. */
async function missingFolders(folder: string): Promise<string[]> {
  const missing: string[] = [];
  for (let at = resolve(folder); !(await stat(at).catch(() => undefined)); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  return missing;
}

/** Folders created for a write: removed again if it fails, kept if it succeeds. */
interface CreatedFolders {
  remove(): Promise<void>;
  keep(): void;
}

/** Creates `folder` and its missing parents, just before a write. */
async function createOutputFolder(folder: string): Promise<CreatedFolders> {
  const missing = await missingFolders(folder);
  if (missing.length) {
    await mkdir(folder, { recursive: true });
    created.push(...missing);
  }
  const forget = () => {
    for (const path of missing) {
      const at = created.indexOf(path);
      if (at >= 0) created.splice(at, 1);
    }
  };
  return {
    async remove() {
      for (const path of [...missing].reverse()) await rmdir(path).catch(() => undefined);
      forget();
    },
    keep: forget,
  };
}

/**
 * Runs `write` with `folder` and its missing parents created for it: kept when the write succeeds, removed again
 * when it fails (the write removes its own files).
 */
export async function withOutputFolder<T>(folder: string, write: () => Promise<T>): Promise<T> {
  const folders = await createOutputFolder(folder);
  try {
    const result = await write();
    folders.keep();
    return result;
  } catch (error) {
    await folders.remove();
    throw error;
  }
}

/** Removes the folders created for the output, innermost first (a second Ctrl-C, which exits at once). */
export function removeCreatedFolders(): void {
  for (const path of created.reverse()) {
    try {
      rmdirSync(path);
    } catch {
      // Not empty, or gone: leave it.
    }
  }
  created.length = 0;
}
