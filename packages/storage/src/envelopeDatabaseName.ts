import type { DocumentAddress } from '@coffre/protocol';

/** Prefix of every IndexedDB database that holds an envelope. */
export const ENVELOPE_DATABASE_PREFIX = 'coffre-envelope';

/** The IndexedDB database name of one document's envelope: one database per `tenant/document`. */
export function envelopeDatabaseName(address: DocumentAddress): string {
  return `${ENVELOPE_DATABASE_PREFIX}/${encodeURIComponent(address.tenantId)}/${encodeURIComponent(address.documentId)}`;
}
