import type { TenantId } from '@coffre/protocol';

/** Who gained or lost access to a document, or its new key epoch: open connections are closed, readmitted or told. */
export interface DocumentAccessChange {
  tenant: TenantId;
  documentId: string;
  /** Members removed (revoked) or added (admitted). */
  users: string[];
  /** Share links revoked. */
  links: string[];
  /** The whole document: deleted (revoked) or created (admitted). */
  document: boolean;
  /** The document moved to this key epoch: the connections left are told to fetch their access again. */
  keyEpoch?: number;
}
