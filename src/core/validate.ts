// Argument checking shared by every public function. Errors name the function and the argument, say what was
// expected and show what was passed, and are thrown before any output is allocated or written.

/** A short, safe rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  if (typeof value === 'function') return 'a function';
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

export function typeError(fn: string, argument: string, expected: string, value: unknown): TypeError {
  return new TypeError(`nninit.${fn}: ${argument} must be ${expected}, got ${describe(value)}`);
}

export function rangeError(fn: string, argument: string, expected: string, value: unknown): RangeError {
  return new RangeError(`nninit.${fn}: ${argument} must be ${expected}, got ${describe(value)}`);
}

/** What an "unknown option" TypeError of checkOptions was about: the function, the key and the keys allowed. */
export interface UnknownOption {
  readonly fn: string;
  readonly option: string;
  readonly allowed: readonly string[];
}

// Kept beside the error rather than on it, so the error users get stays a plain TypeError with nothing added.
const unknownOptions = new WeakMap<object, UnknownOption>();

/** The key and allowed keys behind an "unknown option" error of checkOptions (undefined for any other error). */
export function unknownOptionOf(error: unknown): UnknownOption | undefined {
  return typeof error === 'object' && error !== null ? unknownOptions.get(error) : undefined;
}

/** The message of an unknown option `option` of nninit.`fn`, listing `allowed`. */
export function unknownOptionMessage(fn: string, option: string, allowed: readonly string[]): string {
  return `nninit.${fn}: unknown option "${option}"; the options are ${allowed.join(', ')}`;
}

/** The options object: undefined becomes {}, anything but a plain object is a TypeError, unknown keys too. */
export function checkOptions<T extends object>(fn: string, options: T | undefined, allowed: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw typeError(fn, 'options', 'an object', options);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const error = new TypeError(unknownOptionMessage(fn, key, allowed));
      unknownOptions.set(error, { fn, option: key, allowed });
      throw error;
    }
  }
  return options;
}

export interface NumberRule {
  /** Reject NaN and infinities (default true). */
  finite?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  integer?: boolean;
}

/** A number option: `fallback` when undefined, else checked against the rule. */
export function numberArgument(fn: string, argument: string, value: unknown, fallback: number | undefined, rule: NumberRule = {}): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw typeError(fn, argument, 'a number', value);
  const finite = rule.finite ?? true;
  if (Number.isNaN(value) || (finite && !Number.isFinite(value))) throw rangeError(fn, argument, 'a finite number', value);
  if (rule.integer && !Number.isInteger(value)) throw rangeError(fn, argument, 'an integer', value);
  if (rule.min !== undefined && value < rule.min) throw rangeError(fn, argument, `at least ${rule.min}`, value);
  if (rule.above !== undefined && !(value > rule.above)) throw rangeError(fn, argument, `greater than ${rule.above}`, value);
  if (rule.max !== undefined && value > rule.max) throw rangeError(fn, argument, `at most ${rule.max}`, value);
  return value;
}

/** A string option restricted to a set of names; `fallback` when undefined. */
export function choiceArgument<T extends string>(fn: string, argument: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw typeError(fn, argument, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  if (!(choices as readonly string[]).includes(value)) {
    throw rangeError(fn, argument, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
  }
  return value as T;
}

export interface CheckedShape {
  readonly shape: readonly number[];
  /** Number of elements: at most 2^53 - 1, so every flat index is an exact double. */
  readonly size: number;
}

/** A shape: an array of non-negative integer dimensions whose product is a safe integer. */
export function checkShape(fn: string, shape: unknown): CheckedShape {
  if (!Array.isArray(shape)) throw typeError(fn, 'shape', 'an array of dimensions', shape);
  let size = 1;
  for (let axis = 0; axis < shape.length; axis++) {
    const dimension: unknown = shape[axis];
    if (typeof dimension !== 'number') throw typeError(fn, `shape[${axis}]`, 'a number', dimension);
    if (!Number.isInteger(dimension) || dimension < 0) {
      throw rangeError(fn, `shape[${axis}]`, 'a non-negative integer', dimension);
    }
    size *= dimension;
  }
  if (!Number.isSafeInteger(size)) {
    throw new RangeError(`nninit.${fn}: shape [${shape.join(', ')}] has more than 2^53 - 1 elements`);
  }
  return { shape: shape.slice() as number[], size };
}

/** The typed arrays nninit allocates, by the name its messages use for their elements. */
const ARRAY_CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
} as const;

export type ArrayKind = keyof typeof ARRAY_CONSTRUCTORS;
type ArrayOf<K extends ArrayKind> = InstanceType<(typeof ARRAY_CONSTRUCTORS)[K]>;

/** What a caller can do about a request too large to allocate, for an output of `offset`/`length` options. */
export const SLICE_HINT = 'pass options.offset and options.length to produce a slice';

/**
 * The one place nninit allocates arrays sized by its caller's arguments. The engine's own failure (a bare
 * "Invalid typed array length" or "Array buffer allocation failed") becomes a RangeError that names the
 * function, the request and what to do instead.
 */
export function allocateArray<K extends ArrayKind>(fn: string, kind: K, length: number, hint: string = SLICE_HINT): ArrayOf<K> {
  try {
    return new ARRAY_CONSTRUCTORS[kind](length) as ArrayOf<K>;
  } catch (error) {
    throw new RangeError(`nninit.${fn}: cannot allocate ${length} ${kind} values; ${hint}`, { cause: error });
  }
}
