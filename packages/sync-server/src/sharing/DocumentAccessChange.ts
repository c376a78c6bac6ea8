import type { TenantId } from '@coffre/protocol';

/** Who gained or lost access to a document: their open connections are closed (or may open again). */
export interface DocumentAccessChange {
  tenant: TenantId;
  documentId: string;
  /** Members removed (revoked) or added (admitted). */
  users: string[];
  /** Share links revoked. */
  links: string[];
  /** The whole document: deleted (revoked) or created (admitted). */
  document: boolean;
}
