// Errors of the model layer name the function and the JSON path of what was wrong (`layers[3].kernel`), say what
// was expected and show what was given, and are thrown before any value is computed.

/** A short, safe rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'function') return 'a function';
  return 'an object';
}

export function pathTypeError(fn: string, path: string, expected: string, value: unknown): TypeError {
  return new TypeError(`nninit.${fn}: ${path}: expected ${expected}, got ${describe(value)}`);
}

export function pathRangeError(fn: string, path: string, expected: string, value: unknown): RangeError {
  return new RangeError(`nninit.${fn}: ${path}: expected ${expected}, got ${describe(value)}`);
}

/** An error of the same class as `error`, its message prefixed with the function and a path. */
export function rethrowAt(fn: string, where: string, error: unknown): never {
  if (error instanceof TypeError) throw new TypeError(`nninit.${fn}: ${where}: ${error.message}`, { cause: error });
  if (error instanceof RangeError) throw new RangeError(`nninit.${fn}: ${where}: ${error.message}`, { cause: error });
  throw error;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Rejects keys outside `allowed`: a misspelt field must not pass silently. */
export function checkKeys(fn: string, path: string, object: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`nninit.${fn}: ${path ? `${path}.` : ''}${key}: unknown field; the fields are ${allowed.join(', ')}`);
    }
  }
}

export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
