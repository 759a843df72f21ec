import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One line of `train.jsonl`. `kind` tells what the record holds; the rest are flat numbers or small objects. */
export interface LogRecord {
  kind: 'train' | 'val' | 'stats' | 'event';
  phase: 'psnr' | 'gan';
  iter: number;
  time: number;
  [key: string]: unknown;
}

/** Append-only JSONL log; each record is one synchronous append so a crash never leaves a partial line behind a later one. */
export class JsonlLog {
  constructor(readonly path: string) {}

  /** On resume, drops records past the checkpoint's iteration so the log reads as one uninterrupted run. */
  truncateAfter(phase: 'psnr' | 'gan', iter: number): void {
    if (!existsSync(this.path)) return;
    const order = (p: string) => (p === 'psnr' ? 0 : 1);
    const kept = readJsonl(this.path).filter((r) => order(r.phase) < order(phase) || (r.phase === phase && r.iter <= iter));
    writeFileSync(this.path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  write(record: Omit<LogRecord, 'time'>): void {
    appendFileSync(this.path, JSON.stringify({ ...record, time: Date.now() / 1000 }) + '\n');
  }
}

/** Reads a JSONL log, ignoring a torn last line (a killed process). */
export function readJsonl(path: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as LogRecord);
    } catch {
      // torn write at the end of a killed run
    }
  }
  return out;
}
