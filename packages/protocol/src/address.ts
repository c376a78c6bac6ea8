import { type DocumentId, type TenantId, documentId, tenantId, InvalidIdError, MAX_ID_LENGTH } from './ids.ts';

/** Where a document lives: its Hocuspocus name is `tenantId/documentId`. */
export interface DocumentAddress {
  tenantId: TenantId;
  documentId: DocumentId;
}

export class InvalidAddressError extends Error {
  readonly code = 'INVALID_DOCUMENT_NAME';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAddressError';
  }
}

const MAX_NAME_LENGTH = 2 * MAX_ID_LENGTH + 1;

/** Parses `tenantId/documentId`; throws {@link InvalidAddressError} on anything else. */
export function parseDocumentName(name: unknown): DocumentAddress {
  if (typeof name !== 'string') throw new InvalidAddressError('document name must be a string');
  if (name.length > MAX_NAME_LENGTH) throw new InvalidAddressError('document name is too long');
  const parts = name.split('/');
  if (parts.length !== 2) throw new InvalidAddressError('document name must be "tenantId/documentId"');
  try {
    return { tenantId: tenantId(parts[0]), documentId: documentId(parts[1]) };
  } catch (error) {
    if (error instanceof InvalidIdError) throw new InvalidAddressError(error.message);
    throw error;
  }
}

export function formatDocumentName(address: DocumentAddress): string {
  return `${address.tenantId}/${address.documentId}`;
}

export function sameAddress(a: DocumentAddress, b: DocumentAddress): boolean {
  return a.tenantId === b.tenantId && a.documentId === b.documentId;
}
