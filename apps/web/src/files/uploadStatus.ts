import type { OutgoingFile } from '@coffre/client';
import { describeError } from '../ui/describeError.ts';
import { formatBytes } from './formatFile.ts';

/** What an upload's line says, by state. */
export function uploadStatus(upload: OutgoingFile): string {
  const progress = `${formatBytes(upload.saved)} of ${formatBytes(upload.size)}`;
  switch (upload.state) {
    case 'sealing':
      return `Encrypting on this device… ${formatBytes(upload.sealed)} of ${formatBytes(upload.size)}`;
    case 'sending':
      return `Uploading… ${progress}`;
    case 'waiting':
      return upload.error === null
        ? 'Waiting its turn'
        : 'Waiting for the connection — kept on this device, it uploads by itself when the relay can be reached';
    case 'paused':
      return `Paused — kept on this device (${progress})`;
    case 'done':
      return 'Saved';
    case 'interrupted':
      return 'Not uploaded: the page closed before the file was read. Add it again.';
    case 'failed':
      return describeError(upload.error);
  }
}

export const ACTIVE_STATES: ReadonlySet<OutgoingFile['state']> = new Set(['sealing', 'sending', 'waiting', 'paused']);
