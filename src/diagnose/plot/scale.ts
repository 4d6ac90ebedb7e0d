// Scales from data to pixels, and their ticks. A linear scale puts ticks at 1, 2 or 5 times a power of ten; a log
// scale at powers of ten (every k-th decade when there are many, with 2 and 5 between them when there are few),
// so the picture of vanishing and exploding signals reads in decades.

export type ScaleType = 'linear' | 'log';

export interface Tick {
  readonly value: number;
  readonly label: string;
  /** Minor ticks get a grid line but no label. */
  readonly minor?: boolean;
}

export interface Scale {
  readonly type: ScaleType;
  /** The data interval [low, high] (for a log scale, positive), after rounding out to tick values. */
  readonly domain: readonly [number, number];
  /** The pixel interval the domain maps to (may run backwards, as a y axis does). */
  readonly range: readonly [number, number];
  /** Pixel of a value; NaN for a value the scale cannot show (not finite, or not positive on a log scale). */
  map(value: number): number;
  readonly ticks: readonly Tick[];
}

const SUPERSCRIPTS: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 10^e, exactly as the literal 1e{e} reads (10 ** -4 is not 1e-4 in binary). */
const pow10 = (exponent: number): number => Number(`1e${exponent}`);

/** 10^e written as 10⁻⁸ (the way plots of many decades label them). */
export const powerOfTen = (exponent: number): string => `10${String(exponent).replace(/./g, (c) => SUPERSCRIPTS[c])}`;

/** A tick label for a linear axis: as many decimals as the step needs, no more. */
export function linearLabel(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const fixed = value.toFixed(Math.min(decimals, 12));
  return fixed === '-0' || /^-0\.0*$/.test(fixed) ? fixed.slice(1) : fixed;
}

/** Step of about `count` linear ticks over [low, high]: 1, 2 or 5 times a power of ten. */
export function niceStep(low: number, high: number, count: number): number {
  const raw = (high - low) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/**
 * A linear scale. With `nice` the domain is rounded out to whole steps; a domain of one value is widened so the
 * value sits in the middle.
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number], options: { nice?: boolean; count?: number; integer?: boolean } = {}): Scale {
  let [low, high] = domain;
  if (!(high > low)) {
    const pad = low === 0 ? 1 : Math.abs(low) / 2;
    [low, high] = [low - pad, high + pad];
  }
  let step = niceStep(low, high, options.count ?? 5);
  if (options.integer) step = Math.max(1, Math.round(step));
  if (options.nice !== false) {
    low = Math.floor(low / step + 1e-9) * step;
    high = Math.ceil(high / step - 1e-9) * step;
  }
  const ticks: Tick[] = [];
  const first = Math.ceil(low / step - 1e-9);
  for (let k = first; k * step <= high + step * 1e-9; k++) {
    const value = Number((k * step).toPrecision(12));
    ticks.push({ value, label: linearLabel(value, step) });
  }
  const [r0, r1] = range;
  return {
    type: 'linear', domain: [low, high], range,
    map: (v) => (Number.isFinite(v) ? r0 + ((v - low) / (high - low)) * (r1 - r0) : NaN),
    ticks,
  };
}

/**
 * A log scale over [low, high] (both positive), rounded out to whole decades; labels are powers of ten, written
 * plainly (0.01, 100) when every tick lies in [0.001, 1000].
 */
export function logScale(domain: readonly [number, number], range: readonly [number, number], options: { count?: number } = {}): Scale {
  let [low, high] = domain;
  if (!(low > 0) || !Number.isFinite(low)) low = high > 0 && Number.isFinite(high) ? high / 10 : 0.1;
  if (!(high > 0) || !Number.isFinite(high)) high = low * 10;
  let e0 = Math.floor(Math.log10(low) + 1e-9);
  let e1 = Math.ceil(Math.log10(high) - 1e-9);
  if (e1 <= e0) e1 = e0 + 1;
  const decades = e1 - e0;
  const count = options.count ?? 8;
  const step = [1, 2, 3, 4, 5, 10, 20, 25, 50, 100].find((s) => decades / s <= count) ?? Math.ceil(decades / count);
  // Whole steps of decades, so the first and last ticks sit on the frame.
  e0 = Math.floor(e0 / step) * step;
  e1 = Math.ceil(e1 / step) * step;
  const plain = e0 >= -3 && e1 <= 3;
  const label = (e: number) => (plain ? String(pow10(e)) : powerOfTen(e));
  const ticks: Tick[] = [];
  for (let e = e0; e <= e1; e += step) {
    ticks.push({ value: pow10(e), label: label(e) });
    if (e1 - e0 <= 2 && e < e1) {
      // Few decades: 2 and 5 within each, labelled when there is a single decade.
      for (const m of [2, 5]) {
        const value = Number(`${m}e${e}`);
        ticks.push(e1 - e0 === 1 ? { value, label: String(value) } : { value, label: '', minor: true });
      }
    }
  }
  ticks.sort((a, b) => a.value - b.value);
  const l0 = e0, l1 = e1;
  const [r0, r1] = range;
  return {
    type: 'log', domain: [pow10(e0), pow10(e1)], range,
    map: (v) => (v > 0 && Number.isFinite(v) ? r0 + ((Math.log10(v) - l0) / (l1 - l0)) * (r1 - r0) : NaN),
    ticks,
  };
}

/** Finite values (positive ones for a log scale) and their extent, or undefined when there are none. */
export function extent(values: Iterable<number | null | undefined>, type: ScaleType): [number, number] | undefined {
  let low = Infinity, high = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v) || (type === 'log' && v <= 0)) continue;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return low <= high ? [low, high] : undefined;
}
