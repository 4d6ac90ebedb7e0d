/// <reference types="node" />
// Node only: TF.js models as files. readTfjsFile reads model.json and checks that every weight shard its manifest
// names is beside it and holds the bytes the manifest says; writeTfjsFiles writes model.json and 4 MiB shards into
// a folder (created if it does not exist, and removed again if the write fails), renamed into place only once all
// are complete.

import { mkdir, readFile, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readTfjs, tfjsFiles, type TfjsModel, type TfjsReadOptions } from '../tfjs.js';
import type { Summary } from '../stats.js';
import { folderReader, writeSegmentFiles, type SegmentProgress } from './segments.js';

const FOLDERS = new WeakMap<TfjsModel, string>();

/** readTfjsModel of a model.json file, with its weight shards checked (their sizes; the bytes are read when written). */
export async function readTfjsFile(path: string, options?: Omit<TfjsReadOptions, 'file'>): Promise<TfjsModel> {
  const text = await readFile(path, 'utf8');
  const folder = dirname(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RangeError(`nninit.readTfjsFile: ${path}: not valid JSON: ${(error as Error).message}`);
  }
  // The sizes of the shards the manifest names; a missing one is reported by the reader with its group.
  const sizes = new Map<string, number>();
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  if (Array.isArray(manifest)) {
    for (const group of manifest) {
      const paths = (group as { paths?: unknown }).paths;
      if (!Array.isArray(paths)) continue;
      for (const shard of paths) {
        if (typeof shard !== 'string' || shard.split(/[/\\]/).includes('..') || shard.startsWith('/')) continue;
        const info = await stat(join(folder, shard)).catch(() => undefined);
        if (info?.isFile()) sizes.set(shard, info.size);
      }
    }
  }
  const model = readTfjs('readTfjsFile', json as object, sizes, undefined, { ...options, file: path });
  FOLDERS.set(model, folder);
  return model;
}

export interface TfjsWriteOptions {
  /** The input's folder, for kept weights of a model not read by readTfjsFile. */
  readonly inputFolder?: string;
  /** Bytes per shard (default 4 MiB). */
  readonly shardBytes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SegmentProgress) => void;
}

export interface TfjsWriteResult {
  /** model.json, then the shards. */
  readonly files: readonly string[];
  readonly bytes: number;
  readonly summaries: ReadonlyMap<string, Summary>;
}

/** Writes model.json (at `path`) and its weight shards beside it (see writeTfjsModel). */
export async function writeTfjsFiles(model: TfjsModel, path: string, options: TfjsWriteOptions = {}): Promise<TfjsWriteResult> {
  const folder = dirname(path);
  const files = tfjsFiles(model, { modelName: basename(path), ...(options.shardBytes ? { shardBytes: options.shardBytes } : {}) });
  const inputFolder = options.inputFolder ?? FOLDERS.get(model);
  const reader = inputFolder === undefined ? undefined : folderReader(inputFolder);
  const created = (await stat(folder).catch(() => undefined)) === undefined;
  if (created) await mkdir(folder);
  try {
    return await writeSegmentFiles(folder, files, {
      ...(reader ? { read: reader.read } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (error) {
    if (created) await rmdir(folder).catch(() => undefined);
    throw error;
  } finally {
    await reader?.close();
  }
}
