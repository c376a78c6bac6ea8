import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { resolve } from 'node:path';

export type Patch = [position: number, deleteCount: number, inserted: string];

export interface EditingTrace {
  endContent: string;
  patches: Patch[];
}

export const DEFAULT_TRACE = resolve(import.meta.dirname, '../../../shared/bench-data/automerge-paper.json.gz');

/** Loads a sequential editing trace (Joseph Gentle's format): one patch per keystroke. */
export async function loadTrace(path = DEFAULT_TRACE): Promise<EditingTrace> {
  const json = JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as {
    endContent: string;
    txns: { patches: Patch[] }[];
  };
  return { endContent: json.endContent, patches: json.txns.flatMap((txn) => txn.patches) };
}

/** Applies one patch to anything with Y.Text's insert/delete. */
export function applyPatch(
  text: { insert(index: number, content: string): void; delete(index: number, length: number): void },
  patch: Patch,
): void {
  const [position, deleteCount, inserted] = patch;
  if (deleteCount > 0) text.delete(position, deleteCount);
  if (inserted.length > 0) text.insert(position, inserted);
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}
