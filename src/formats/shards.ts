// Sharded checkpoints as Hugging Face writes them: tensors split in order into files of at most a maximum size,
// named `<stem>-00001-of-00003.safetensors`, with `<stem>.safetensors.index.json` mapping each tensor to its file;
// and the assignment of shards to the parts of a job that several machines run together. Pure: no Node built-ins.

import { MAX_HEADER_TENSORS, SafetensorsError, scanHeaderText } from './safetensors.js';

/** Decimal units as huggingface_hub's parse_size_to_int reads them ("5GB" is 5 * 10^9 bytes), and binary ones. */
const UNITS: Record<string, number> = {
  B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40,
};

/**
 * Bytes of a size such as "2GB" (2 * 10^9, as Hugging Face reads it), "500MB", "1.5GiB" (binary) or "1048576".
 * Throws a RangeError for anything else, or a size below 1 byte.
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? (match[2] === '' ? 1 : UNITS[match[2].toUpperCase()]) : undefined;
  if (!match || unit === undefined) {
    throw new RangeError(`expected a size such as 2GB, 500MB, 1.5GiB or a number of bytes, got ${JSON.stringify(text)}`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!(bytes >= 1) || !Number.isSafeInteger(bytes)) throw new RangeError(`expected a size of at least 1 byte and below 2^53, got ${JSON.stringify(text)}`);
  return bytes;
}

export interface Shard {
  /** File name (no folder): `<stem>.safetensors` when there is one shard, else `<stem>-0000k-of-0000n.safetensors`. */
  readonly file: string;
  /** 1-based shard number. */
  readonly number: number;
  /** Indices of its tensors in the list given to planShards, in order. */
  readonly tensors: readonly number[];
  /** Bytes of tensor data (headers not counted, as Hugging Face counts them). */
  readonly bytes: number;
}

/** Hugging Face's shard file name: `model-00001-of-00003.safetensors`. */
export function shardFileName(stem: string, number: number, count: number): string {
  return count === 1 ? `${stem}.safetensors` : `${stem}-${String(number).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.safetensors`;
}

/** The index file of a sharded checkpoint: `model.safetensors.index.json`. */
export const indexFileName = (stem: string): string => `${stem}.safetensors.index.json`;

/**
 * Splits tensors of the given byte sizes into shards as huggingface_hub's split_state_dict_into_shards_factory
 * does: in order, a tensor that would take the current shard over `maxShardSize` starts a new one, and a tensor
 * larger than `maxShardSize` gets a shard of its own, placed when it is met (before the shard being filled). No
 * maximum: one shard.
 */
export function planShards(sizes: readonly number[], maxShardSize: number | undefined, stem = 'model'): Shard[] {
  const groups: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  sizes.forEach((bytes, index) => {
    if (maxShardSize === undefined) {
      current.push(index);
      return;
    }
    if (bytes > maxShardSize) {
      groups.push([index]);
      return;
    }
    if (currentBytes + bytes > maxShardSize && current.length > 0) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(index);
    currentBytes += bytes;
  });
  if (current.length > 0 || groups.length === 0) groups.push(current);
  return groups.map((tensors, i) => ({
    file: shardFileName(stem, i + 1, groups.length),
    number: i + 1,
    tensors,
    bytes: tensors.reduce((sum, t) => sum + sizes[t], 0),
  }));
}

/**
 * The part (1..parts) that writes shard `number` (1-based) when a job is split into `parts`: round robin, shard k
 * to part ((k - 1) mod parts) + 1. Part 1 also writes the index. The files of all parts together are the files
 * of one run, byte for byte.
 */
export function partOfShard(number: number, parts: number): number {
  return ((number - 1) % parts) + 1;
}

/** The index JSON text: `{ "metadata": { "total_size": bytes }, "weight_map": { name: file } }`, names in file order. */
export function indexJson(shards: readonly Shard[], names: readonly string[], totalSize: number): string {
  const weightMap: Record<string, string> = {};
  for (const shard of shards) for (const t of shard.tensors) weightMap[names[t]] = shard.file;
  return `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2)}\n`;
}

export interface ShardIndex {
  /** Tensor name -> shard file name, in the index's order. */
  readonly weightMap: ReadonlyMap<string, string>;
  /** The shard files, in order of first appearance. */
  readonly files: readonly string[];
  readonly totalSize?: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * Parses an index file's text. Shard names must be plain file names in the index's folder (no '/', '\\' or
 * '..'), as Hugging Face writes them; anything else could make a reader open files elsewhere. A name listed twice
 * in weight_map is refused as a repeated name in a header is (JSON.parse would keep one of them silently), and
 * weight_map may list at most MAX_HEADER_TENSORS tensors. `metadata.total_size`, when present, must be a
 * non-negative integer; whether it agrees with the shards is for the caller to report (Hugging Face's loaders
 * do not check it).
 */
export function parseIndex(text: string, file = 'model.safetensors.index.json'): ShardIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError('InvalidIndex', file, `not valid JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new SafetensorsError('InvalidIndex', file, 'expected an object { metadata, weight_map }');
  const { weight_map: map, metadata = {} } = json as Record<string, unknown>;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new SafetensorsError('InvalidIndex', file, 'weight_map must be an object of tensor name -> shard file name');
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new SafetensorsError('InvalidIndex', file, 'metadata must be an object');
  const problem = scanHeaderText(text, false);
  if (problem?.kind === 'duplicate') {
    throw new SafetensorsError('InvalidIndex', file, problem.within === 'weight_map'
      ? `weight_map lists ${JSON.stringify(problem.key)} twice`
      : `the key ${JSON.stringify(problem.key)} appears twice${problem.within === undefined ? '' : ` in ${problem.within}`}`);
  }
  const entries = Object.entries(map);
  if (entries.length > MAX_HEADER_TENSORS) {
    throw new SafetensorsError('TooManyTensors', file, `weight_map lists ${entries.length} tensors; nninit reads at most ${MAX_HEADER_TENSORS} (2^18) from one checkpoint`);
  }
  const weightMap = new Map<string, string>();
  const files = new Set<string>();
  for (const [name, shard] of entries) {
    if (typeof shard !== 'string' || shard === '' || shard === '.' || shard === '..' || /[/\\]/.test(shard)) {
      throw new SafetensorsError('InvalidIndex', file, `weight_map[${JSON.stringify(name)}] must be a file name in the index's folder, got ${JSON.stringify(shard)}`);
    }
    weightMap.set(name, shard);
    files.add(shard);
  }
  const total = (metadata as Record<string, unknown>).total_size;
  if (total !== undefined && !(typeof total === 'number' && Number.isSafeInteger(total) && total >= 0)) {
    throw new SafetensorsError('InvalidIndex', file, `metadata.total_size must be a non-negative integer (bytes of tensor data), got ${JSON.stringify(total)}`);
  }
  return { weightMap, files: [...files], metadata: metadata as Record<string, unknown>, ...(total !== undefined ? { totalSize: total } : {}) };
}
