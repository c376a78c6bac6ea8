import type { SyncStatus } from '@coffre/client';

function changes(count: number): string {
  return `${count} change${count === 1 ? '' : 's'}`;
}

/** The sync status in words: what a person needs to know about where their edits are. */
export function syncStatusText(status: SyncStatus): string {
  switch (status.state) {
    case 'offline':
      return status.unsaved > 0 ? `Offline — ${changes(status.unsaved)} on this device` : 'Offline — nothing to send';
    case 'connecting':
      return status.unsaved > 0 ? `Connecting — ${changes(status.unsaved)} on this device` : 'Connecting…';
    case 'syncing':
      return status.unsaved > 0 ? `Saving ${changes(status.unsaved)}…` : 'Syncing…';
    case 'saved':
      return status.unsaved > 0 ? `Saving ${changes(status.unsaved)}…` : 'Saved';
  }
}

/** A longer explanation, for the pill's tooltip. */
export function syncStatusHint(status: SyncStatus): string {
  switch (status.state) {
    case 'offline':
      return 'The relay cannot be reached. Your edits are encrypted and kept in this browser, and sent when it is back.';
    case 'connecting':
      return 'Connecting to the relay. Your edits are encrypted and kept in this browser meanwhile.';
    case 'syncing':
    case 'saved':
      return status.unsaved > 0
        ? 'Your edits are encrypted and on their way to the relay.'
        : 'Every change is encrypted and stored by the relay.';
  }
}
