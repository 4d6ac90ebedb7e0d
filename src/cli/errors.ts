// The command's errors and exit codes: 0 success, 2 bad input (the message names the file and JSON path, or the
// flag), 1 anything else, 130 interrupted (128 + SIGINT, as shells report it).

import { SafetensorsError } from '../formats/safetensors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERRUPTED = 130;

/** Bad input: a flag, a file that cannot be read, a spec or checkpoint that does not add up. Exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** How a message names the places the model layer's errors point at. */
export interface ErrorContext {
  /** The input file as the user named it. */
  readonly file?: string;
  /** Rules from the spec come first in options.rules; the flags' rules follow, with their text. */
  readonly specRules?: number;
  readonly ruleTexts?: readonly string[];
}

/**
 * The message of a model-layer error (TypeError or RangeError naming a JSON path), rewritten for the command:
 * `options.seed` becomes `--seed` (and so for every option a flag sets, the probe's too; not `options.batchAxis`),
 * `options.rules[k]` the flag's text or the spec's `rules[k]`, and the file is named in front of paths that point
 * into it.
 */
export function commandMessage(error: Error, context: ErrorContext): string {
  let message = error.message.replace(/^nninit\.\w+: /, '');
  const specRules = context.specRules ?? 0;
  message = message.replace(/options\.rules\[(\d+)\](\.(\w+))?/g, (_whole, index: string, _dot, field: string | undefined) => {
    const k = Number(index);
    if (k < specRules) return `rules[${k}]${field ? `.${field}` : ''}`;
    const text = context.ruleTexts?.[k - specRules];
    return `--rule ${quote(text ?? '?')}${field ? ` (${field})` : ''}`;
  });
  message = message.replace(/options\.(seed|policy|dtype|layout|rng|spatial|steps|batch|bins|range)\b(\.(\w+))?/g, (_whole, flag: string, _dot, field: string | undefined) => `--${flag}${field ? ` (${field})` : ''}`);
  // A suggested rule, { match: "NAME", init: 'INIT', key: value, ... }, as the flag that gives it.
  message = message.replace(/\{ match: ("(?:[^"\\]|\\.)*"), init(?:: '(\w+)')?((?:, \w+: (?:'[^']*'|[-+\w.]+))*)(, \.\.\.)? \}/g, (_whole, match: string, init: string | undefined, options: string) => {
    const pairs = [...options.matchAll(/, (\w+): ('[^']*'|[-+\w.]+)/g)].map(([, key, value]) => `${key}=${value.replace(/^'(.*)'$/, '$1')}`);
    return `--rule ${quote(`${JSON.parse(match) as string}=${init ?? 'INIT'}${pairs.length ? `(${pairs.join(',')})` : ''}`)}`;
  });
  if (context.file && !message.startsWith('--')) message = `${context.file}: ${message}`;
  return message;
}

/** A shell-safe single-quoted rendering of a flag's text. */
export function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The exit code and message for any error the command meets. */
export function classify(error: unknown, context: ErrorContext): { code: number; message: string } {
  if (error instanceof InputError) return { code: EXIT_BAD_INPUT, message: error.message };
  if (error instanceof SafetensorsError) return { code: EXIT_BAD_INPUT, message: error.message };
  if (error instanceof TypeError || error instanceof RangeError) {
    // The library's argument errors all start with 'nninit.<function>:'; anything else is a bug, not input.
    if (/^nninit\.\w+: /.test(error.message)) return { code: EXIT_BAD_INPUT, message: commandMessage(error, context) };
  }
  if (error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR')) {
    return { code: EXIT_INTERRUPTED, message: 'interrupted; no output was written' };
  }
  const code = (error as NodeJSError).code;
  if (typeof code === 'string' && (error as NodeJSError).syscall) {
    return { code: EXIT_FAILURE, message: `${(error as NodeJSError).path ?? ''}${(error as NodeJSError).path ? ': ' : ''}${(error as Error).message}` };
  }
  return { code: EXIT_FAILURE, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

interface NodeJSError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
}
