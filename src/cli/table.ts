// The command's tables: aligned plain-text columns, numbers right-aligned. They only read reports.

import { columnWidths, describeInitializer } from '../model/explain.js';
import { short } from '../model/policies.js';
import type { ParameterPlan } from '../model/types.js';
import type { Summary } from '../formats/stats.js';

export interface Column {
  readonly title: string;
  readonly numeric?: boolean;
}

/** Rows under titles, each column as wide as its widest cell, two spaces apart; the last column is not padded. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columnWidths(columns.map((column) => column.title), rows);
  const line = (cells: readonly string[]) => cells
    .map((cell, c) => (columns[c].numeric ? cell.padStart(widths[c]) : c === cells.length - 1 ? cell : cell.padEnd(widths[c])))
    .join('  ')
    .trimEnd();
  return [line(columns.map((column) => column.title)), ...rows.map(line)].join('\n');
}

/** A number for a table: four significant digits, '–' when there is none. */
export function figure(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  return short(value);
}

/**
 * The initializer of a plan entry as explain spells it: `heNormal(nonlinearity=relu)`, `4 blocks × orthogonal(gain=1)`,
 * `torch kaiming_uniform_(a=√5)` (rng 'torch').
 */
export const initializerText = (p: ParameterPlan): string => describeInitializer(p);

export const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Thousands separated: 124,439,808. */
export const grouped = (n: number): string => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function measuredText(summary: Summary | undefined): string {
  if (!summary) return '–';
  return summary.nonFinite ? `${figure(summary.std)} (${summary.nonFinite} non-finite)` : figure(summary.std);
}
