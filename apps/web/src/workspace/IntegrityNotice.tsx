import { useEffect, useState } from 'react';
import type { EntryRejectedEvent, EnvelopeIntegrity } from '@coffre/client';
import type { DeviceId } from '@coffre/protocol';

/** Where the integrity report comes from: the open document (`EncryptedDocument` or `LocalDocument`). */
export interface IntegritySource {
  readonly integrity: EnvelopeIntegrity;
  /** `incomplete` and `entry-rejected` say the report may have changed. */
  on(event: 'incomplete' | 'entry-rejected', listener: () => void): () => void;
}

function changes(count: number): string {
  return `${count} change${count === 1 ? '' : 's'}`;
}

/** The word for one, or for several. */
function either(count: number, one: string, several: string): string {
  return count === 1 ? one : several;
}

/** Refused entries per author, for one kind of refusal. */
function countByAuthor(refused: readonly EntryRejectedEvent[], keep: (event: EntryRejectedEvent) => boolean) {
  const counts = new Map<DeviceId | undefined, number>();
  for (const event of refused) if (keep(event)) counts.set(event.author, (counts.get(event.author) ?? 0) + 1);
  return [...counts];
}

/**
 * What this device could not take as it is, in words: changes missing from
 * the document (the relay has not delivered them, or someone deleted them
 * with no snapshot keeping them), changes signed by someone who could not
 * edit the document then (a relay colluding with a viewer, a removed
 * member), and changes that fail their signature or encryption. The
 * document shows only what verifies; nothing is shown while all is well.
 */
export function IntegrityNotice({
  document,
  nameOf,
}: {
  document: IntegritySource;
  nameOf: (device: DeviceId) => string;
}) {
  const [integrity, setIntegrity] = useState<EnvelopeIntegrity>(() => document.integrity);
  useEffect(() => {
    const update = () =>
      setIntegrity((shown) => {
        const next = document.integrity;
        const same =
          shown.refused.length === next.refused.length &&
          shown.missing.size === next.missing.size &&
          [...next.missing].every(([author, counters]) => shown.missing.get(author)?.length === counters.length);
        return same ? shown : next;
      });
    update();
    const offIncomplete = document.on('incomplete', update);
    const offRejected = document.on('entry-rejected', update);
    return () => {
      offIncomplete();
      offRejected();
    };
  }, [document]);

  const missing = [...integrity.missing].filter(([, counters]) => counters.length > 0);
  const notWriters = countByAuthor(integrity.refused, (event) => event.reason === 'not-a-writer');
  const forged = integrity.refused.filter((event) => event.reason !== 'not-a-writer').length;
  if (missing.length === 0 && notWriters.length === 0 && forged === 0) return null;
  const who = (author: DeviceId | undefined) => (author ? nameOf(author) : 'someone');
  return (
    <div className="notice notice-warning doc-integrity" role="status">
      {missing.map(([author, counters]) => {
        const n = counters.length;
        const it = either(n, 'it', 'them');
        return (
          <p key={`missing-${author}`}>
            {`${changes(n)} by ${who(author)} ${either(n, 'is', 'are')} missing here: the relay has not delivered ` +
              `${it}, or someone deleted ${it} without keeping ${it} in a snapshot.`}
          </p>
        );
      })}
      {notWriters.map(([author, count]) => (
        <p key={`refused-${author ?? ''}`}>
          {`${changes(count)} signed by ${who(author)}, who could not edit this document then, ` +
            `${either(count, 'was', 'were')} left out.`}
        </p>
      ))}
      {forged > 0 ? (
        <p>
          {`${changes(forged)} failed ${either(forged, 'its', 'their')} signature or encryption check (altered, or ` +
            `not of this document) and ${either(forged, 'was', 'were')} left out.`}
        </p>
      ) : null}
      <p>
        This page shows only what verifies. If this lasts, tell the document&apos;s owner or the person who runs your
        relay.
      </p>
    </div>
  );
}
