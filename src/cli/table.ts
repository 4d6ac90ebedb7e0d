// The command's tables: aligned plain-text columns, numbers right-aligned. They only read reports.

import { textTable } from '../model/explain.js';
import { short } from '../model/policies.js';
import type { Summary } from '../formats/stats.js';

export interface Column {
  readonly title: string;
  readonly numeric?: boolean;
}

/** Rows under titles, each column as wide as its widest cell, two spaces apart; the last column is not padded. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  return textTable(columns.map((column) => column.title), rows, columns.map((column) => column.numeric ?? false));
}

/** A number for a table: four significant digits, '–' when there is none. */
export function figure(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  return short(value);
}

export const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Thousands separated: 124,439,808. */
export const grouped = (n: number): string => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function measuredText(summary: Summary | undefined): string {
  if (!summary) return '–';
  return summary.nonFinite ? `${figure(summary.std)} (${summary.nonFinite} non-finite)` : figure(summary.std);
}
