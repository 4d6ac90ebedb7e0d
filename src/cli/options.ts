// The command's flag values, checked before anything is read or written; each error names its flag.
//   --seed N            decimal integer in [0, 2^64)
//   --policy P          a policy name, or NAME(key=value,...): gpt2(nLayer=24,std=0.02)
//   --rule GLOB=INIT(key=value,...)   e.g. '**.bias=constant(value=0.01)', 'fc2.weight=xavierUniform(gain=1.667)'
//   --dtype, --layout, --rng, --max-shard-size 2GB, --part K/N, --keep GLOB, --threads N

import type { Dtype } from '../core/output.js';
import type { Layout } from '../core/fans.js';
import { POLICY_NAMES } from '../model/policies.js';
import { RNG_NAMES, type PolicySpec, type RngName } from '../model/spec.js';
import type { RuleSpec } from '../model/rules.js';
import { parseByteSize } from '../formats/shards.js';
import { InputError, quote } from './errors.js';

export const DTYPE_CHOICES: readonly Dtype[] = ['float32', 'float16', 'bfloat16', 'float64'];
export const LAYOUT_CHOICES: readonly Layout[] = ['torch', 'keras'];
export const RNG_CHOICES: readonly RngName[] = RNG_NAMES;

/** The planning settings the flags give (undefined: the input's own, or the default). */
export interface PlanFlags {
  readonly seed?: string;
  readonly policy?: PolicySpec;
  /** --policy model: a TF.js model's configured initializers (only TF.js inputs accept it). */
  readonly modelPolicy?: boolean;
  readonly rules: readonly RuleSpec[];
  /** Each rule's text as given, for messages. */
  readonly ruleTexts: readonly string[];
  readonly dtype?: Dtype;
  readonly layout?: Layout;
  /** A spec's random numbers: nninit's Philox streams, or PyTorch's generator ('torch'). */
  readonly rng?: RngName;
  /** Globs of a checkpoint's tensors to copy unchanged. */
  readonly keep: readonly string[];
}

export function parseSeedFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || BigInt(text) >= 1n << 64n) throw new InputError(`--seed: expected an integer in [0, 2^64), got ${quote(text)}`);
  return String(BigInt(text));
}

function choiceFlag<T extends string>(flag: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) throw new InputError(`${flag}: expected one of ${choices.join(', ')}, got ${quote(text)}`);
  return text as T;
}

export const parseDtypeFlag = (text: string | undefined) => choiceFlag('--dtype', text, DTYPE_CHOICES);
export const parseLayoutFlag = (text: string | undefined) => choiceFlag('--layout', text, LAYOUT_CHOICES);
export const parseRngFlag = (text: string | undefined) => choiceFlag('--rng', text, RNG_CHOICES);

/** A value in a call's argument list: a number, true/false, a quoted string, or a bare word (a string). */
function argumentValue(text: string): unknown {
  const trimmed = text.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (/^(".*"|'.*')$/.test(trimmed)) return trimmed.slice(1, -1);
  return trimmed;
}

/**
 * NAME or NAME(key=value, ...) as { name, options }; `constant(0.5)` is constant(value=0.5). Throws a message
 * (without the flag) for anything else.
 */
export function parseCall(text: string): { name: string; options: Record<string, unknown> } {
  const match = /^\s*([A-Za-z_][\w]*)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (!match) throw new Error('expected NAME or NAME(key=value, ...)');
  const [, name, inside] = match;
  const options: Record<string, unknown> = {};
  if (inside !== undefined && inside.trim() !== '') {
    const parts = inside.split(',');
    parts.forEach((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) {
        if (name === 'constant' && parts.length === 1) {
          options.value = argumentValue(part);
          return;
        }
        throw new Error(`expected key=value in the parentheses, got ${JSON.stringify(part.trim())}`);
      }
      const key = part.slice(0, eq).trim();
      if (!/^[A-Za-z_]\w*$/.test(key)) throw new Error(`expected an option name before '=', got ${JSON.stringify(key)}`);
      if (key in options) throw new Error(`option ${key} is given twice`);
      options[key] = argumentValue(part.slice(eq + 1));
    });
  }
  return { name, options };
}

/** --policy: a name, or NAME(key=value,...) for policies with parameters. */
export function parsePolicyFlag(text: string | undefined): PolicySpec | 'model' | undefined {
  if (text === undefined) return undefined;
  let call;
  try {
    call = parseCall(text);
  } catch (error) {
    throw new InputError(`--policy ${quote(text)}: ${(error as Error).message}`);
  }
  // 'model': the initializers a TF.js model.json configures.
  if (call.name === 'model' && Object.keys(call.options).length === 0) return 'model';
  if (!(POLICY_NAMES as readonly string[]).includes(call.name)) throw new InputError(`--policy: expected one of ${POLICY_NAMES.join(', ')}, got ${quote(call.name)} (and 'model' for a TF.js model's configured initializers)`);
  return Object.keys(call.options).length === 0 ? call.name as PolicySpec : { name: call.name, ...call.options } as PolicySpec;
}

/** --rule GLOB=INIT(key=value,...): the rule { match: GLOB, init: INIT, ...options }. */
export function parseRuleFlag(text: string): RuleSpec {
  const eq = text.indexOf('=');
  const glob = eq < 0 ? '' : text.slice(0, eq).trim();
  if (eq < 0 || glob === '') throw new InputError(`--rule ${quote(text)}: expected GLOB=INIT or GLOB=INIT(key=value,...), e.g. '**.bias=zeros' or 'fc2.weight=xavierUniform(gain=1.667)'`);
  let call;
  try {
    call = parseCall(text.slice(eq + 1));
  } catch (error) {
    throw new InputError(`--rule ${quote(text)}: ${(error as Error).message}`);
  }
  for (const key of ['match', 'init']) {
    if (key in call.options) throw new InputError(`--rule ${quote(text)}: ${key} is given before '=' and as the initializer's name, not as an option`);
  }
  return { match: glob, init: call.name as RuleSpec['init'], ...call.options };
}

/** --max-shard-size: bytes, decimal units as Hugging Face reads them (2GB = 2 * 10^9), binary with 'iB'. */
export function parseShardSizeFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseByteSize(text);
  } catch (error) {
    throw new InputError(`--max-shard-size: ${(error as Error).message}`);
  }
}

/** --part K/N: part K (1-based) of N. */
export function parsePartFlag(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN, count = match ? Number(match[2]) : NaN;
  if (!match || !(count >= 1) || !(index >= 1) || index > count || !Number.isSafeInteger(count)) {
    throw new InputError(`--part: expected K/N with 1 <= K <= N (part K of N, e.g. 2/8), got ${quote(text)}`);
  }
  return { index, count };
}

/** --threads N: worker threads computing the values, 1 to 64 (1: none, everything on the main thread). */
export function parseThreadsFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const threads = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(threads >= 1 && threads <= 64)) throw new InputError(`--threads: expected an integer from 1 to 64, got ${quote(text)}`);
  return threads;
}

export interface RawPlanFlags {
  seed?: string;
  policy?: string;
  rule?: string[];
  dtype?: string;
  layout?: string;
  rng?: string;
  keep?: string[];
}

export function parsePlanFlags(raw: RawPlanFlags): PlanFlags {
  const ruleTexts = raw.rule ?? [];
  const policy = parsePolicyFlag(raw.policy);
  return {
    seed: parseSeedFlag(raw.seed),
    ...(policy === 'model' ? { modelPolicy: true } : { policy }),
    rules: ruleTexts.map(parseRuleFlag),
    ruleTexts,
    dtype: parseDtypeFlag(raw.dtype),
    layout: parseLayoutFlag(raw.layout),
    rng: parseRngFlag(raw.rng),
    keep: raw.keep ?? [],
  };
}
