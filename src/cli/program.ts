/// <reference types="node" />
// The `nninit` command: init (a spec or checkpoint in, safetensors out), explain (the plan), inspect (a file's
// tensors and statistics). run() parses arguments with commander, does the work and returns the exit code; it
// never exits the process, so tests run it in-process as well as through the bin.

import '../embedded.js';
import { open, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describeInitializer, explainPlan } from '../model/explain.js';
import type { ParameterPlan } from '../model/types.js';
import { elementValues, SAFETENSORS_DTYPES } from '../formats/dtypes.js';
import { seedText } from '../formats/safetensors.js';
import { Accumulator, type Summary } from '../formats/stats.js';
import { NNINIT_VERSION } from '../formats/version.js';
import { isIndexFile, openSafetensorsCheckpoint, openShardedCheckpoint, type Checkpoint } from '../formats/node/read.js';
import { planWrite, writeSafetensorsFiles, type WritePlan, type WriteResult } from '../formats/node/write.js';
import { indexFileName } from '../formats/shards.js';
import { classify, EXIT_BAD_INPUT, EXIT_OK, InputError, type ErrorContext } from './errors.js';
import { INPUT_FORMATS, inputFileError, inputFormatOf, loadInput, type ModelSource } from './inputs.js';
import { DTYPE_CHOICES, LAYOUT_CHOICES, RNG_CHOICES, parsePartFlag, parsePlanFlags, parseShardSizeFlag, parseThreadsFlag, type RawPlanFlags } from './options.js';
import { createProgress, formatBytes, formatSeconds, type ProgressStream } from './progress.js';
import { addDiagnoseCommand } from './diagnose.js';
import { figure, formatTable, grouped, measuredText, shapeText, type Column } from './table.js';
import { DEFAULT_THREADS, POOL_MIN_BYTES, startProducing } from './threads.js';
import { checkOutputFolder, withOutputFolder } from './output.js';

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
  /** Aborting (Ctrl-C) stops a write at the next chunk and removes its temporary files. */
  readonly signal?: AbortSignal;
}

/** JSON with bigints (seeds) as decimal strings. */
const json = (value: unknown) => `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function planOptions(command: Command): Command {
  return command
    .option('--seed <n>', 'seed, an integer in [0, 2^64) (default: the spec\'s, else a fresh one, printed and recorded)')
    .option('--policy <policy>', `policy: activation, pytorch, keras, flax, gpt2, or NAME(key=value,...) such as 'gpt2(nLayer=24)'; model: a TF.js model's configured initializers`)
    .option('--rule <glob=init>', `rule applied after the policy, repeatable: '**.bias=constant(value=0.01)', 'fc2.weight=xavierUniform(gain=1.667)'`, collect)
    .option('--dtype <dtype>', `element type: ${DTYPE_CHOICES.join(', ')} (default: the spec's, or each checkpoint tensor's own)`)
    .option('--layout <layout>', `spec layout: ${LAYOUT_CHOICES.join(' [out, in, ...k] or ')} [...k, in, out]`)
    .option('--rng <rng>', `a spec's random numbers: ${RNG_CHOICES.join(' (nninit\'s streams, the default) or ')} (PyTorch's own values: torch.manual_seed(seed), then the torch.nn modules in order; needs the pytorch policy and the torch layout)`)
    .option('--keep <glob>', 'copy a checkpoint\'s matching tensors unchanged (repeatable)', collect)
    .option('--json', 'print JSON instead of the table');
}

const INPUT_HELP = [...INPUT_FORMATS].reverse().map((f) => `  ${f.description}`).join('\n');

/** The command line, and its exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let context: ErrorContext = {};
  let code = EXIT_OK;
  const program = new Command('nninit')
    .description('Initialize neural-network weights and write them as safetensors, or re-initialize ONNX and TF.js models in their own format: each layer gets the initializer its activation calls for, reproducible bit for bit.')
    .version(NNINIT_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`nninit: ${text}`),
    })
    .showHelpAfterError('(nninit <command> --help shows the options)')
    .showSuggestionAfterError(true);

  planOptions(program.command('init')
    .description('write an initialized model: safetensors (one file, or Hugging Face shards and their index), or an ONNX or TF.js input re-initialized in its own format')
    .argument('<input>', 'a model spec (.json), a .safetensors checkpoint, a model.safetensors.index.json, an ONNX model (.onnx) or a TF.js model.json')
    .requiredOption('-o, --output <path>', 'output: file.safetensors, or a folder (model.safetensors in it); shards are <stem>-0000k-of-0000n.safetensors beside it. An ONNX or TF.js input is written in its own format (x.onnx; out/model.json and its shards) unless the name ends in .safetensors')
    .option('--max-shard-size <size>', 'split into shards of at most this much tensor data: 2GB (10^9 bytes, as Hugging Face), 1.5GiB, bytes')
    .option('--part <k/n>', 'write only part K of N: shard i goes to part ((i - 1) mod N) + 1, part 1 also writes the index; needs a fixed seed')
    .option('--threads <n>', `threads computing the values; 1: the main thread only (default: ${DEFAULT_THREADS === 1 ? '1 on this machine' : `${DEFAULT_THREADS} workers on this machine for models of ${POOL_MIN_BYTES / 2 ** 20} MiB or more, else 1`}; the cores but one, at most 8)`)
    .option('-q, --quiet', 'print nothing but errors'))
    .addHelpText('after', `\nInputs:\n${INPUT_HELP}\n\nExamples:\n  nninit init examples/gpt2-small.json -o gpt2.safetensors\n  nninit init model.safetensors -o fresh.safetensors --policy pytorch --rule 'lm_head.weight=zeros'\n  nninit init big.json -o out/model.safetensors --max-shard-size 5GB --seed 1 --part \"$SLURM_ARRAY_TASK_ID/8\"   (sbatch --array=1-8)\n  nninit init model.onnx -o fresh.onnx --seed 1\n  nninit init tfjs/model.json -o fresh/model.json\n`)
    .action(async (input: string, options: InitOptions) => {
      code = await initCommand(input, options, io, (c) => { context = c; });
    });

  planOptions(program.command('explain')
    .description('print the plan: each parameter\'s initializer, fans, target std and the rule that chose it; nothing is computed')
    .argument('<input>', 'a model spec (.json), a .safetensors checkpoint, a model.safetensors.index.json, an ONNX model (.onnx) or a TF.js model.json'))
    .action(async (input: string, options: RawPlanFlags & { json?: boolean }) => {
      code = await explainCommand(input, options, io, (c) => { context = c; });
    });

  program.command('inspect')
    .description('list a safetensors file\'s (or sharded checkpoint\'s) tensors: dtype, shape, bytes, mean, std, min, max; and its metadata')
    .argument('<file>', 'a .safetensors file or a model.safetensors.index.json')
    .option('--no-stats', 'read the header only (no mean, std, min, max)')
    .option('--json', 'print JSON instead of the table')
    .action(async (file: string, options: { stats: boolean; json?: boolean }) => {
      code = await inspectCommand(file, options, io);
    });

  addDiagnoseCommand(program, io, (exit) => { code = exit; }, (c) => { context = c; });

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_BAD_INPUT;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (and help) already.
      return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    const { code: exit, message } = classify(error, context);
    io.stderr.write(`nninit: error: ${message}\n`);
    return exit;
  }
}

// ---- init ------------------------------------------------------------------------------------------------------------

interface InitOptions extends RawPlanFlags {
  output: string;
  maxShardSize?: string;
  part?: string;
  threads?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * The output path, checked: a .safetensors name, or a folder (model.safetensors in it), in a folder that is
 * writable or can be created (it is created just before the write).
 */
async function resolveOutput(output: string): Promise<string> {
  const info = await stat(output).catch(() => undefined);
  let path = output;
  if (info?.isDirectory() || /[/\\]$/.test(output)) path = join(output, 'model.safetensors');
  else if (!output.endsWith('.safetensors')) throw new InputError(`-o ${output}: expected a file name ending in .safetensors, or a folder`);
  await checkOutputFolder(`-o ${output}`, dirname(path));
  if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new InputError(`-o ${output}: ${path} is a folder`);
  return path;
}

async function initCommand(input: string, options: InitOptions, io: CliIo, setContext: (context: ErrorContext) => void): Promise<number> {
  const flags = parsePlanFlags(options);
  const maxShardSize = parseShardSizeFlag(options.maxShardSize);
  const part = parsePartFlag(options.part);
  const threads = parseThreadsFlag(options.threads);
  // The input is recognized first (a .json is read to tell a TF.js model from a spec), so that an input that
  // cannot be read is reported as such rather than through what -o should be for it. Model files (ONNX, TF.js)
  // are written in their own format unless -o names a .safetensors file.
  const format = inputFormatOf(input);
  const native = options.output.endsWith('.safetensors') ? undefined : format.output;
  if (native && (maxShardSize !== undefined || part)) {
    throw new InputError(`${part ? '--part' : '--max-shard-size'}: splits safetensors output; ${native.what} is written whole (give -o NAME.safetensors for safetensors)`);
  }
  const output = native ? await native.resolve(options.output) : await resolveOutput(options.output);
  // The input format's code loads before the clock starts: the time printed is the reading and the writing.
  await format.preload?.();
  const started = performance.now();
  const source = await loadInput(input, flags, format);
  setContext(source.errorContext);
  if (!options.quiet) for (const warning of source.warnings ?? []) io.stderr.write(`nninit: warning: ${warning}\n`);
  try {
    if (native && source.writeNative) {
      const progress = createProgress(io.stderr, { enabled: !options.quiet });
      let result: WriteResult;
      try {
        result = await withOutputFolder(dirname(output), () => source.writeNative!(output, { signal: io.signal, onProgress: (p) => progress.update({ bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, label: p.tensor }) }));
      } finally {
        progress.done();
      }
      const seconds = (performance.now() - started) / 1000;
      if (!options.quiet) io.stdout.write(options.json ? json(initReport(input, source, result, seconds, undefined, true)) : initText(input, source, result, seconds));
      return EXIT_OK;
    }
    if (part && !source.seedGiven) {
      throw new InputError(`--part ${part.index}/${part.count}: every part must draw from the same seed; give --seed N${source.format === 'spec' ? ' (or a seed in the spec)' : ''}`);
    }
    const plan = planWrite(source.tensors, { path: output, maxShardSize, part });
    if (plan.mine.length === 0) {
      if (!options.quiet) {
        const message = `part ${part!.index}/${part!.count}: nothing to write (the model has ${plan.shards.length} shard${plan.shards.length === 1 ? '' : 's'})`;
        io.stdout.write(options.json ? json({ part, files: [], shards: plan.shards.length, message }) : `nninit: ${message}\n`);
      }
      return EXIT_OK;
    }
    const progress = createProgress(io.stderr, { enabled: !options.quiet });
    // Large models are computed on worker threads (the same bytes); the workers end with the write, however it ends.
    // They start before -o's folder is created, so that a pool that cannot start leaves no folder behind.
    const producing = await startProducing(source.tensors, plan, threads);
    let result: WriteResult;
    try {
      result = await withOutputFolder(dirname(output), () => writeSafetensorsFiles(source.tensors, {
        path: output, metadata: source.metadata, maxShardSize, part, signal: io.signal,
        ...(producing.producer ? { producer: producing.producer } : {}),
        onProgress: (p) => progress.update({ bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, label: p.tensor }),
      }));
    } finally {
      progress.done();
      await producing.close();
    }
    const seconds = (performance.now() - started) / 1000;
    if (!options.quiet) {
      const stale = await otherShardings(plan);
      if (stale.length > 0) {
        const shown = stale.length > 3 ? `${stale.slice(0, 3).join(', ')} and ${stale.length - 3} more` : stale.join(', ');
        io.stderr.write(`nninit: warning: ${dirname(output)} also holds ${shown}, left from another sharding of the same name, which the new files do not replace; delete them if they are stale\n`);
      }
      const usage = process.cpuUsage();
      const work = { threads: producing.threads, cpuSeconds: (usage.user + usage.system) / 1e6 };
      io.stdout.write(options.json ? json({ ...initReport(input, source, result, seconds, part), ...work }) : initText(input, source, result, seconds, part));
    }
    return EXIT_OK;
  } finally {
    await source.close();
  }
}

/**
 * Shard files in the plan's folder named as its shards would be (`<stem>-0000k-of-0000n.safetensors`) but for
 * another shard count than the plan's, and an index when there is one shard now: left from an earlier run with
 * another --max-shard-size, which nninit does not delete.
 */
async function otherShardings(plan: WritePlan): Promise<string[]> {
  const { folder, stem } = plan;
  const count = plan.shards.length;
  const pattern = /^(.*)-(\d{5})-of-(\d{5})\.safetensors$/;
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter((name) => {
    // one file and no index now: an index left beside it would still send loaders to the old shards
    if (count === 1 && name === indexFileName(stem)) return true;
    const match = pattern.exec(name);
    return match !== null && match[1] === stem && Number(match[3]) !== count;
  }).sort();
}

interface TensorRow {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly file: string;
  readonly initializer: string;
  readonly fanIn?: number;
  readonly fanOut?: number;
  readonly std?: number;
  readonly measured?: Summary;
}

function tensorRows(source: ModelSource, result: WriteResult): TensorRow[] {
  const plans = new Map<string, ParameterPlan>(source.plan.map((p) => [p.name, p]));
  return result.tensors.map((t) => {
    const p = plans.get(t.name);
    return {
      name: t.name, shape: t.shape, dtype: t.dtype, file: t.file,
      initializer: p ? describeInitializer(p) : source.unplanned.get(t.name) ?? 'kept',
      ...(p ? { fanIn: p.fanIn, fanOut: p.fanOut, std: p.std } : {}),
      ...(t.summary ? { measured: t.summary } : {}),
    };
  });
}

function initText(input: string, source: ModelSource, result: WriteResult, seconds: number, part?: { index: number; count: number }): string {
  const rows = tensorRows(source, result);
  const sharded = result.shards.length > 1;
  const columns: Column[] = [
    { title: 'name' }, { title: 'shape' }, { title: 'dtype' }, ...(sharded ? [{ title: 'file' }] : []), { title: 'initializer' },
    { title: 'fanIn', numeric: true }, { title: 'fanOut', numeric: true }, { title: 'std', numeric: true }, { title: 'measured std', numeric: true },
  ];
  const table = formatTable(columns, rows.map((r) => [
    r.name, shapeText(r.shape), r.dtype, ...(sharded ? [r.file] : []), r.initializer,
    r.fanIn === undefined ? '–' : String(r.fanIn), r.fanOut === undefined ? '–' : String(r.fanOut), figure(r.std), measuredText(r.measured),
  ]));
  const first = source.plan[0];
  const values = result.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  const files = result.files.map((f) => f).join(', ');
  const partLine = part ? `part ${part.index}/${part.count}: ${result.mine.length} of ${result.shards.length} shards\n` : '';
  return [
    `nninit init ${input}: policy ${first?.policy ?? '–'}${first?.rng ? `, rng ${first.rng}` : ''}, seed ${seedText(source.seed)}${source.seedGiven ? '' : ' (fresh; pass --seed to repeat)'}`,
    '',
    table,
    '',
    `${partLine}${result.tensors.length} tensors, ${grouped(values)} values, ${formatBytes(result.bytes)} in ${result.files.length} file${result.files.length === 1 ? '' : 's'}: ${files}`,
    `${formatSeconds(seconds)} (${formatBytes(result.bytes / Math.max(seconds, 1e-9))}/s)`,
    '',
  ].join('\n');
}

/** What --json reports of a write; `metadata` is the safetensors __metadata__ written (ONNX and TF.js files get none). */
function initReport(input: string, source: ModelSource, result: WriteResult, seconds: number, part?: { index: number; count: number }, native = false) {
  return {
    input,
    seed: seedText(source.seed),
    policy: source.plan[0]?.policy,
    files: result.files,
    shards: result.shards.map((s) => s.file),
    ...(result.index ? { index: result.index } : {}),
    ...(part ? { part } : {}),
    ...(native ? {} : { metadata: source.metadata }),
    // min and max are not tracked while writing (inspect computes them): left out rather than printed as null
    tensors: tensorRows(source, result).map(({ measured, ...row }) => ({
      ...row,
      ...(measured ? { measured: Object.fromEntries(Object.entries(measured).filter(([, value]) => !Number.isNaN(value))) } : {}),
    })),
    bytes: result.bytes,
    seconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

// ---- explain ---------------------------------------------------------------------------------------------------------

async function explainCommand(input: string, options: RawPlanFlags & { json?: boolean }, io: CliIo, setContext: (context: ErrorContext) => void): Promise<number> {
  const source = await loadInput(input, parsePlanFlags(options));
  setContext(source.errorContext);
  try {
    if (options.json) {
      // Model files are written in their own format by default, which holds no safetensors __metadata__.
      io.stdout.write(json({ input, seed: seedText(source.seed), ...(source.writeNative ? {} : { metadata: source.metadata }), plan: source.plan, unplanned: Object.fromEntries(source.unplanned) }));
      return EXIT_OK;
    }
    let text = source.explain ?? explainPlan(source.plan);
    if (source.unplanned.size && !source.explain) {
      text += `\nnot planned (${source.unplanned.size}):\n${[...source.unplanned].map(([name, why]) => `  ${name}: ${why}`).join('\n')}\n`;
    }
    io.stdout.write(text);
    return EXIT_OK;
  } finally {
    await source.close();
  }
}

// ---- inspect ---------------------------------------------------------------------------------------------------------

async function openCheckpointFile(path: string): Promise<Checkpoint> {
  const opener = isIndexFile(path) ? openShardedCheckpoint : path.endsWith('.safetensors') ? openSafetensorsCheckpoint : undefined;
  if (!opener) throw new InputError(`${path}: expected a .safetensors file or a model.safetensors.index.json`);
  try {
    return await opener(path);
  } catch (error) {
    throw inputFileError(path, error);
  }
}

/**
 * Statistics of every tensor, reading each file's data once, in order, in 4 MiB reads: a read covers every small
 * tensor that fits in it (a file of many small tensors costs a read per 4 MiB, not one per tensor), and a larger
 * tensor is read in steps of whole elements.
 */
async function checkpointStatistics(checkpoint: Checkpoint, io: CliIo, enabled: boolean): Promise<Map<string, Summary>> {
  const summaries = new Map<string, Summary>();
  const total = checkpoint.files.reduce((sum, f) => sum + f.header.dataLength, 0);
  const progress = createProgress(io.stderr, { enabled });
  const buffer = new Uint8Array(4 * 1024 * 1024);
  let done = 0;
  try {
    for (const file of checkpoint.files) {
      const handle = await open(file.path, 'r');
      /** Reads data bytes [at, at + length) of the file into the buffer's start. */
      const readData = async (at: number, length: number) => {
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, file.header.dataStart + at + read);
          if (bytesRead === 0) throw new InputError(`${file.label}: the file is shorter than its header says`);
          read += bytesRead;
        }
      };
      // Data bytes [windowStart, windowEnd) are in the buffer.
      let windowStart = 0, windowEnd = 0;
      try {
        for (const t of file.header.tensors) {
          io.signal?.throwIfAborted();
          const bits = SAFETENSORS_DTYPES[t.dtype];
          if (bits % 8 !== 0 || elementValues(t.dtype, new Uint8Array(0)) === undefined) {
            // Packed and complex dtypes: no statistics.
            done += t.end - t.begin;
            continue;
          }
          const accumulator = new Accumulator();
          if (t.end - t.begin <= buffer.length) {
            if (t.begin < windowStart || t.end > windowEnd) {
              windowStart = t.begin;
              windowEnd = Math.min(file.header.dataLength, t.begin + buffer.length);
              await readData(windowStart, windowEnd - windowStart);
            }
            accumulator.add(elementValues(t.dtype, buffer.subarray(t.begin - windowStart, t.end - windowStart))!, true);
            done += t.end - t.begin;
          } else {
            const step = Math.floor(buffer.length / (bits / 8)) * (bits / 8);
            windowStart = windowEnd = 0;
            for (let at = t.begin; at < t.end; at += step) {
              io.signal?.throwIfAborted();
              const length = Math.min(step, t.end - at);
              await readData(at, length);
              accumulator.add(elementValues(t.dtype, buffer.subarray(0, length))!, true);
              done += length;
              progress.update({ bytesDone: done, bytesTotal: total, label: t.name });
            }
          }
          summaries.set(t.name, accumulator.summary());
          progress.update({ bytesDone: done, bytesTotal: total, label: t.name });
        }
      } finally {
        await handle.close();
      }
    }
  } finally {
    progress.done();
  }
  return summaries;
}

async function inspectCommand(path: string, options: { stats: boolean; json?: boolean }, io: CliIo): Promise<number> {
  const checkpoint = await openCheckpointFile(path);
  const summaries = options.stats ? await checkpointStatistics(checkpoint, io, !options.json) : new Map<string, Summary>();
  const sharded = checkpoint.kind === 'index';
  const rows = checkpoint.tensors.map((t) => ({
    name: t.name, dtype: t.dtype, shape: t.shape, bytes: t.entry.end - t.entry.begin,
    ...(sharded ? { file: t.file.label } : {}),
    ...(summaries.get(t.name) ? { stats: summaries.get(t.name) } : {}),
  }));
  const values = checkpoint.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  const dataBytes = checkpoint.files.reduce((sum, f) => sum + f.header.dataLength, 0);
  if (options.json) {
    io.stdout.write(json({
      path, files: checkpoint.files.map((f) => ({ path: f.label, bytes: f.size, headerBytes: f.header.dataStart, tensors: f.header.tensors.length })),
      metadata: checkpoint.metadata ?? {}, ...(checkpoint.index ? { indexMetadata: checkpoint.index.metadata } : {}),
      tensors: rows, values, bytes: dataBytes,
    }));
    return EXIT_OK;
  }
  const lines: string[] = [];
  lines.push(`${path}: ${checkpoint.tensors.length} tensors, ${grouped(values)} values, ${formatBytes(dataBytes)} of tensor data${sharded ? ` in ${checkpoint.files.length} shards` : ''}`);
  if (checkpoint.index?.totalSize !== undefined && checkpoint.index.totalSize !== dataBytes) {
    lines.push(`note: the index's total_size is ${checkpoint.index.totalSize}, the shards hold ${dataBytes} bytes of tensor data`);
  }
  const metadata = Object.entries(checkpoint.metadata ?? {});
  if (metadata.length) {
    lines.push('', 'metadata:');
    const width = metadata.reduce((most, [key]) => Math.max(most, key.length), 0);
    for (const [key, value] of metadata) lines.push(`  ${key.padEnd(width)}  ${value.length > 100 ? `${value.slice(0, 99)}…` : value}`);
  }
  const columns: Column[] = [
    { title: 'name' }, { title: 'dtype' }, { title: 'shape' }, ...(sharded ? [{ title: 'file' }] : []), { title: 'bytes', numeric: true },
    ...(options.stats ? [{ title: 'mean', numeric: true }, { title: 'std', numeric: true }, { title: 'min', numeric: true }, { title: 'max', numeric: true }] : []),
  ];
  lines.push('', formatTable(columns, rows.map((r) => [
    r.name, r.dtype, shapeText(r.shape), ...(sharded ? [r.file!] : []), grouped(r.bytes),
    ...(options.stats ? [figure(r.stats?.mean), measuredText(r.stats), figure(r.stats?.min), figure(r.stats?.max)] : []),
  ])), '');
  io.stdout.write(lines.join('\n'));
  return EXIT_OK;
}

