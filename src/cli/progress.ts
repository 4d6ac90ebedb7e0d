// Progress on stderr while a long job runs. On a terminal: one line redrawn in place (bar, bytes, rate, ETA,
// current tensor), at most ten times a second, erased at the end. Anywhere else (a pipe, a CI log): no control
// characters at all, only a plain line every 15 seconds for jobs that run that long.

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressState {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** What is being worked on (a tensor name). */
  readonly label: string;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal sizes, as disks and Hugging Face count them: 497.8 MB. */
export function formatBytes(bytes: number): string {
  let value = bytes, unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 90 ? `${minutes} min ${Math.round(seconds - minutes * 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The text of one progress report (no control characters), fitted to `width` columns where given. */
export function progressLine(state: ProgressState, elapsedSeconds: number, width?: number, bar = true): string {
  const fraction = state.bytesTotal > 0 ? Math.min(1, state.bytesDone / state.bytesTotal) : 1;
  const rate = elapsedSeconds > 0 ? state.bytesDone / elapsedSeconds : 0;
  const eta = rate > 0 ? (state.bytesTotal - state.bytesDone) / rate : Infinity;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const barWidth = 24;
  const filled = Math.round(fraction * barWidth);
  const drawn = bar ? ` [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]` : '';
  const line = `${percent}${drawn} ${formatBytes(state.bytesDone)} / ${formatBytes(state.bytesTotal)}  ${formatBytes(rate)}/s  ETA ${formatSeconds(eta)}  ${state.label}`;
  return width !== undefined && width > 0 && line.length > width - 1 ? line.slice(0, Math.max(0, width - 2)) + '…' : line;
}

export interface ProgressReporter {
  update(state: ProgressState): void;
  /** Erases the line on a terminal; prints nothing elsewhere. */
  done(): void;
}

const SILENT: ProgressReporter = { update: () => undefined, done: () => undefined };

export function createProgress(stream: ProgressStream, options: { enabled: boolean; now?: () => number }): ProgressReporter {
  if (!options.enabled) return SILENT;
  const now = options.now ?? (() => performance.now());
  const start = now();
  let last = -Infinity;
  let drawn = false;
  if (stream.isTTY) {
    return {
      update(state) {
        const t = now();
        if (t - last < 100 && state.bytesDone < state.bytesTotal) return;
        last = t;
        stream.write(`\r\x1b[2K${progressLine(state, (t - start) / 1000, stream.columns)}`);
        drawn = true;
      },
      done() {
        if (drawn) stream.write('\r\x1b[2K');
      },
    };
  }
  last = start;
  return {
    update(state) {
      const t = now();
      if (t - last < 15_000) return;
      last = t;
      stream.write(`nninit: ${progressLine(state, (t - start) / 1000, undefined, false)}\n`);
    },
    done: () => undefined,
  };
}
