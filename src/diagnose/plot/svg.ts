// The few SVG primitives the plots are written with: elements as strings, escaped text, and coordinates with two
// decimals, so the same data always gives the same bytes (docs/*.svg are compared with a fresh render in tests).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value, escaped for XML. */
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** A coordinate: at most two decimals, no trailing zeros, no negative zero. */
export function px(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** A data value for a data-* attribute: five significant digits, as docs/claims.json rounds them. */
export function datum(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value) || value === 0) return String(value);
  return String(Number(value.toPrecision(5)));
}

export type Attributes = Readonly<Record<string, string | number | undefined | false>>;

/** `<name attributes>children</name>`, or self-closing without children. Numbers are written with px(). */
export function element(name: string, attributes: Attributes = {}, children?: string | readonly string[]): string {
  let open = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    open += ` ${key}="${typeof value === 'number' ? px(value) : escapeXml(value)}"`;
  }
  if (children === undefined) return `${open}/>`;
  const body = typeof children === 'string' ? children : children.join('');
  return `${open}>${body}</${name}>`;
}

/** A text element with escaped content. */
export const text = (content: string, attributes: Attributes = {}): string => element('text', attributes, escapeXml(content));

/**
 * Estimated width of a line of text in pixels: 0.56 em per character for the sans-serif stacks the plots use (wide
 * enough for Helvetica, Arial, DejaVu and Noto Sans digits and lower case), so labels are laid out without a DOM.
 */
export const textWidth = (content: string, fontSize: number): number => [...content].length * fontSize * 0.56;

/** Splits text into lines no wider than `width` pixels at `fontSize`, at spaces. */
export function wrap(content: string, width: number, fontSize: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of content.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, fontSize) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}
