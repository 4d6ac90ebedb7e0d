// Rules: `{ match, init, ...options }`, applied after the policy; the last rule that matches a parameter wins.
// `match` is a glob over parameter names: `*` matches within one dot-separated segment, `**` across segments.

import { INITIALIZERS, INITIALIZER_NAMES, type InitializerName, type Options } from './registry.js';
import { isPlainObject, joinPath, pathRangeError, pathTypeError } from './errors.js';

export interface Rule {
  /** Glob over parameter names: `*` within one dot-separated segment, `**` across segments. */
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

/** The RegExp of a glob: `**` any characters, `*` any characters but '.', everything else literally. */
export function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (glob[i] === '*') source += '[^.]*';
    else source += glob[i].replace(/[\\^$+?.()|[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
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
    return { match, init: init as InitializerName, options, path: at, pattern: globPattern(match) };
  });
}
