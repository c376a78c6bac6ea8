import { useEffect, useState } from 'react';
import type { HeadsStatus } from '@coffre/client';
import type { DeviceId } from '@coffre/protocol';

/** Where the heads come from: the open document (`EncryptedDocument` or `LocalDocument`). */
export interface HeadsSource {
  readonly heads: HeadsStatus;
  on(event: 'heads', listener: (status: HeadsStatus) => void): () => void;
}

function changes(count: number): string {
  return `${count} change${count === 1 ? '' : 's'}`;
}

/** A peer's name as the subject of a sentence: "Your other device has…", not "You (another device) has…". */
function subject(name: string): string {
  if (name === 'You (another device)') return 'Your other device';
  if (name === 'You (this device)') return 'Another tab on this device';
  return name;
}

/** Per peer, how many entries are missing, in the order peers first appear. */
function byPeer(items: readonly { peer: DeviceId; count: number }[]): [DeviceId, number][] {
  const totals = new Map<DeviceId, number>();
  for (const { peer, count } of items) totals.set(peer, (totals.get(peer) ?? 0) + count);
  return [...totals];
}

/**
 * What the signed heads of everyone online say, when it matters: a peer has
 * changes this device has not received, or lacks this device's saved ones,
 * for longer than a moment. The relay cannot forge or read heads (they are
 * sealed and signed in presence), so this is how a relay holding changes
 * back from someone shows. Nothing is shown while everyone is in sync.
 */
export function HeadsNotice({ document, nameOf }: { document: HeadsSource; nameOf: (device: DeviceId) => string }) {
  const [status, setStatus] = useState<HeadsStatus>(() => document.heads);
  useEffect(() => {
    setStatus(document.heads);
    return document.on('heads', setStatus);
  }, [document]);
  if (status.state !== 'behind') return null;
  return (
    <div className="notice notice-warning doc-heads" role="status">
      {byPeer(status.missing).map(([peer, count]) => (
        <p key={`missing-${peer}`}>
          {subject(nameOf(peer))} has {changes(count)} this device has not received yet.
        </p>
      ))}
      {byPeer(status.unseen).map(([peer, count]) => (
        <p key={`unseen-${peer}`}>
          {subject(nameOf(peer))} has not received {changes(count)} you saved.
        </p>
      ))}
      <p>
        If this lasts, the relay may be holding changes back: check the connection, reload the page, or ask the person
        who runs your relay.
      </p>
    </div>
  );
}
