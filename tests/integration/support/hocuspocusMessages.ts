import * as decoding from 'lib0/decoding';

/** Hocuspocus message types (the first varUint after the document name) and Yjs sync message types. */
const SYNC = 0;
const SYNC_REPLY = 4;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/**
 * True for a Hocuspocus message that carries document content (sync step 2
 * or an update); false for presence, acknowledgements, stateless messages,
 * sync step 1 and anything unreadable. What a withholding relay would drop.
 */
export function isDocumentUpdate(message: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(message);
    decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type !== SYNC && type !== SYNC_REPLY) return false;
    const syncType = decoding.readVarUint(decoder);
    return syncType === SYNC_STEP_2 || syncType === SYNC_UPDATE;
  } catch {
    return false;
  }
}
