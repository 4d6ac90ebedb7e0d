// Rules: `{ match, init, ...options }`, applied after the policy; the last rule that matches a parameter wins.
// `match` is a glob over parameter names, segment by segment (see globPattern).

import { INITIALIZERS, INITIALIZER_NAMES, type InitializerName, type Options } from './registry.js';
import { isPlainObject, joinPath, pathRangeError, pathTypeError } from './errors.js';

export interface Rule {
  /** Glob over parameter names, segment by segment: `*` within one segment, a `**` segment for zero or more. */
  readonly match: string;
  /** A public initializer's name. */
  readonly init: InitializerName;
  /** Its options (`value` for constant); seed, stream and the output options are the plan's. */
  readonly options: Options;
  /** Where the rule came from, e.g. 'rules[2]' or 'options.rules[0]'. */
  readonly path: string;
  readonly pattern: RegExp;
}

/** What a rule is written as, in a spec or in options. */
export interface RuleSpec {
  match: string;
  init: InitializerName;
  [option: string]: unknown;
}

/** Options a rule may not set: the stream contract sets seed and stream, and the plan sets the output. */
const RESERVED = ['seed', 'stream', 'dtype', 'offset', 'length', 'out'];

const escape = (text: string) => text.replace(/[\\^$+?.()|[\]{}]/g, '\\$&');

/**
 * The RegExp of a glob over dot-separated names. The glob is split at its dots into segments, each matching one
 * segment of the name:
 * - `**` (a whole segment) matches zero or more whole segments: `**.bias` matches `bias` and `h.0.mlp.bias`,
 *   `h.**.weight` matches `h.weight` and `h.0.attn.weight`, `h.**` matches `h` and everything below it, `**`
 *   matches every name.
 * - `*` inside a segment matches any run of characters other than '.', so `h.*.bias` matches `h.0.bias` but not
 *   `h.0.mlp.bias`, and `in_proj_*` matches `in_proj_weight`.
 * - everything else matches itself.
 * An empty segment (`h..weight`, a leading or trailing dot) and `**` inside a segment (`**weight`, `a**`) are
 * not globs (globProblem says why; their pattern matches nothing): `**` never reaches into a segment.
 */
export function globPattern(glob: string): RegExp {
  if (globProblem(glob) !== undefined) return /(?!)/;
  // Consecutive '**' segments match what one does.
  const segments = glob.split('.').filter((segment, i, all) => !(segment === '**' && all[i - 1] === '**'));
  if (segments.length === 1 && segments[0] === '**') return /^[^.]+(?:\.[^.]+)*$/;
  let source = '';
  segments.forEach((segment, i) => {
    if (segment === '**') {
      // Zero or more segments, each with the dot that joins it to the rest.
      source += i === 0 ? '(?:[^.]+\\.)*' : '(?:\\.[^.]+)*';
      return;
    }
    const joined = i === 0 || (i === 1 && segments[0] === '**') ? '' : '\\.';
    source += joined + segment.split('*').map(escape).join('[^.]*');
  });
  return new RegExp(`^${source}$`);
}

/** What a string needs to be a glob (see globPattern), or undefined when it is one. */
export function globProblem(glob: string): string | undefined {
  const segments = glob.split('.');
  if (segments.some((segment) => segment === '')) return 'a glob of non-empty dot-separated segments';
  if (segments.some((segment) => segment !== '**' && segment.includes('**'))) {
    return "a glob whose '**' stands alone as a segment ('h.**.weight'; '*' matches within one segment)";
  }
  return undefined;
}

export function parseRules(fn: string, value: unknown, path: string): Rule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw pathTypeError(fn, path, 'an array of rules { match, init, ...options }', value);
  return value.map((rule: unknown, index) => {
    const at = joinPath(path, index);
    if (!isPlainObject(rule)) throw pathTypeError(fn, at, 'a rule { match, init, ...options }', rule);
    const { match, init, ...options } = rule;
    if (typeof match !== 'string' || match === '') throw pathTypeError(fn, joinPath(at, 'match'), 'a non-empty glob string', match);
    if (typeof init !== 'string') throw pathTypeError(fn, joinPath(at, 'init'), 'the name of an nninit initializer', init);
    if (!(init in INITIALIZERS)) throw pathRangeError(fn, joinPath(at, 'init'), `one of ${INITIALIZER_NAMES.join(', ')}`, init);
    for (const key of RESERVED) {
      if (key in options) {
        throw new TypeError(`nninit.${fn}: ${joinPath(at, key)}: a rule cannot set ${key}; the plan sets seed, stream (the parameter's name) and the output`);
      }
    }
    const problem = globProblem(match);
    if (problem !== undefined) throw pathRangeError(fn, joinPath(at, 'match'), problem, match);
    return { match, init: init as InitializerName, options, path: at, pattern: globPattern(match) };
  });
}
