import type { BatchRecord, ProfileRecord } from './profiler.ts';

/** Dispatches grouped under one key: their count, summed GPU time and work. */
export interface SummaryRow {
  key: string;
  count: number;
  total_ns: number;
  flops: number;
  bytes: number;
}

export const byKernel = (r: ProfileRecord) => (r.variant === 'default' ? r.kernel : `${r.kernel}/${r.variant}`);
export const byLayer = (r: ProfileRecord) => r.label;

/** Groups records by key, sorted by total GPU time (then count), largest first. */
export function summarize(records: readonly ProfileRecord[], keyOf: (r: ProfileRecord) => string): SummaryRow[] {
  const rows = new Map<string, SummaryRow>();
  for (const r of records) {
    const k = keyOf(r);
    let row = rows.get(k);
    if (!row) rows.set(k, (row = { key: k, count: 0, total_ns: 0, flops: 0, bytes: 0 }));
    row.count++;
    row.total_ns += r.gpu_ns;
    row.flops += r.flops;
    row.bytes += r.bytes;
  }
  return [...rows.values()].sort((a, b) => b.total_ns - a.total_ns || b.count - a.count || (a.key < b.key ? -1 : 1));
}

const num = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** A fixed-width table: count, total ms, mean µs, share %, GFLOP/s, GB/s; a total line last. */
export function formatSummary(title: string, rows: readonly SummaryRow[]): string {
  const total: SummaryRow = { key: 'total', count: 0, total_ns: 0, flops: 0, bytes: 0 };
  for (const r of rows) {
    total.count += r.count;
    total.total_ns += r.total_ns;
    total.flops += r.flops;
    total.bytes += r.bytes;
  }
  const width = Math.min(48, Math.max(title.length, ...rows.map((r) => r.key.length)));
  const line = (r: SummaryRow) => {
    const key = r.key.length > width ? '…' + r.key.slice(-(width - 1)) : r.key;
    return [
      key.padEnd(width),
      String(r.count).padStart(6),
      num(r.total_ns / 1e6, 3).padStart(11),
      num(r.total_ns / r.count / 1e3, 1).padStart(10),
      num((100 * r.total_ns) / total.total_ns, 1).padStart(7),
      (r.flops ? num(r.flops / r.total_ns, 2) : '').padStart(8),
      num(r.bytes / r.total_ns, 2).padStart(7),
    ].join(' ');
  };
  const head = [title.padEnd(width), 'count'.padStart(6), 'total ms'.padStart(11), 'mean µs'.padStart(10), 'share %'.padStart(7), 'GFLOP/s'.padStart(8), 'GB/s'.padStart(7)].join(' ');
  return [head, ...rows.map(line), '-'.repeat(head.length), line(total)].join('\n');
}

/** The fallback's table: each submission's wall time from flush to onSubmittedWorkDone. */
export function formatBatches(batches: readonly BatchRecord[]): string {
  const head = `${'batch'.padEnd(6)} ${'dispatches'.padStart(10)} ${'encode ms'.padStart(10)} ${'wall ms'.padStart(10)}`;
  const rows = batches.map((b, i) =>
    [String(i).padEnd(6), String(b.dispatches).padStart(10), num((b.submit_us - b.encode_us) / 1e3, 3).padStart(10), num((b.done_us - b.submit_us) / 1e3, 3).padStart(10)].join(' '),
  );
  const wall = batches.reduce((s, b) => s + b.done_us - b.submit_us, 0);
  return [head, ...rows, '-'.repeat(head.length), `${'total'.padEnd(6)} ${String(batches.reduce((s, b) => s + b.dispatches, 0)).padStart(10)} ${''.padStart(10)} ${num(wall / 1e3, 3).padStart(10)}`].join('\n');
}

/** The whole text report: header naming the timing source, then by kernel and by layer (or by batch). */
export function formatReport(records: readonly ProfileRecord[], batches: readonly BatchRecord[], header: string, timestamps: boolean): string {
  const parts = [header, ''];
  if (timestamps) {
    parts.push(formatSummary('by kernel', summarize(records, byKernel)), '', formatSummary('by layer', summarize(records, byLayer)));
  } else {
    parts.push(formatBatches(batches), '', formatSummary('dispatches by kernel (no per-dispatch times)', summarize(records, byKernel)));
  }
  return parts.join('\n') + '\n';
}
