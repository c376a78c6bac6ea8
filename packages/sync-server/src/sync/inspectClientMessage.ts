import * as decoding from 'lib0/decoding';
import { CloseCode, ErrorCode } from '@coffre/protocol';
import { AuthMessage, HocuspocusMessage, SyncStep } from './hocuspocusMessages.ts';

/** What the relay does with one binary message from a client, before Hocuspocus sees it. */
export type ClientMessageVerdict =
  /** A message Hocuspocus may handle, addressed to `documentName`. */
  | { kind: 'accept'; documentName: string; type: number }
  /** An address with a NUL (Hocuspocus would read what follows as a session id): refused as a name. */
  | { kind: 'invalid-name'; address: string }
  /** Closes the socket. */
  | { kind: 'refuse'; code: CloseCode; reason: ErrorCode };

const malformed: ClientMessageVerdict = {
  kind: 'refuse',
  code: CloseCode.MalformedMessage,
  reason: ErrorCode.MalformedMessage,
};
const unsupported: ClientMessageVerdict = {
  kind: 'refuse',
  code: CloseCode.MalformedMessage,
  reason: ErrorCode.UnsupportedMessage,
};

/**
 * Checks the framing of a client's message: its address, a message type a
 * client may send (Sync steps 1, 2 and updates, Awareness, Auth,
 * QueryAwareness, Stateless, Close), and a body Hocuspocus can decode, so
 * that no library answer ("Reset Connection", "Unauthorized") follows from
 * client bytes. The content of updates and presence is checked later, by
 * the Coffre extension.
 */
export function inspectClientMessage(message: Uint8Array): ClientMessageVerdict {
  try {
    const decoder = decoding.createDecoder(message);
    const address = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    const body = readBody(decoder, type);
    if (body !== 'readable') return body === 'unsupported' ? unsupported : malformed;
    if (address.includes('\0')) return { kind: 'invalid-name', address };
    return { kind: 'accept', documentName: address, type };
  } catch {
    return malformed;
  }
}

/**
 * Decodes the body of a message of a type clients may send; throws on
 * truncated input. Auth messages from clients carry a token.
 */
function readBody(decoder: decoding.Decoder, type: number): 'readable' | 'unsupported' | 'malformed' {
  switch (type) {
    case HocuspocusMessage.Sync: {
      const step = decoding.readVarUint(decoder);
      if (step !== SyncStep.Step1 && step !== SyncStep.Step2 && step !== SyncStep.Update) return 'unsupported';
      decoding.readVarUint8Array(decoder);
      return 'readable';
    }
    case HocuspocusMessage.Awareness:
      readAwarenessUpdate(decoding.readVarUint8Array(decoder));
      return 'readable';
    case HocuspocusMessage.Auth: {
      if (decoding.readVarUint(decoder) !== AuthMessage.Token) return 'malformed';
      decoding.readVarString(decoder); // the token
      if (decoding.hasContent(decoder)) decoding.readVarString(decoder); // the provider's version
      return 'readable';
    }
    case HocuspocusMessage.Stateless:
      decoding.readVarString(decoder);
      return 'readable';
    case HocuspocusMessage.QueryAwareness:
    case HocuspocusMessage.Close:
      return 'readable';
    default:
      return 'unsupported';
  }
}

/** Reads an awareness update as y-protocols does (entries of client id, clock and a JSON state); throws if it cannot. */
function readAwarenessUpdate(update: Uint8Array): void {
  const decoder = decoding.createDecoder(update);
  const entries = decoding.readVarUint(decoder);
  for (let index = 0; index < entries; index += 1) {
    decoding.readVarUint(decoder);
    decoding.readVarUint(decoder);
    JSON.parse(decoding.readVarString(decoder));
  }
}
