import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { CloseCode, ErrorCode } from '@coffre/protocol';
import { inspectClientMessage } from '../../src/sync/inspectClientMessage.ts';
import { HocuspocusMessage, SyncStep } from '../../src/sync/hocuspocusMessages.ts';

function message(address: string, type: number, write: (encoder: encoding.Encoder) => void = () => undefined) {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

const unsupported = { kind: 'refuse', code: CloseCode.MalformedMessage, reason: ErrorCode.UnsupportedMessage };
const malformed = { kind: 'refuse', code: CloseCode.MalformedMessage, reason: ErrorCode.MalformedMessage };

describe('inspectClientMessage', () => {
  it('accepts every message type the Hocuspocus provider sends', () => {
    const accepted = [
      message('t/d', HocuspocusMessage.Sync, (e) => {
        encoding.writeVarUint(e, SyncStep.Update);
        encoding.writeVarUint8Array(e, Uint8Array.of(0, 0));
      }),
      message('t/d', HocuspocusMessage.Awareness, (e) => {
        const update = encoding.createEncoder();
        encoding.writeVarUint(update, 1);
        encoding.writeVarUint(update, 42);
        encoding.writeVarUint(update, 3);
        encoding.writeVarString(update, '{"sealed":"abc"}');
        encoding.writeVarUint8Array(e, encoding.toUint8Array(update));
      }),
      message('t/d', HocuspocusMessage.Auth, (e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarString(e, 'token');
        encoding.writeVarString(e, '4.8.0');
      }),
      message('t/d', HocuspocusMessage.QueryAwareness),
      message('t/d', HocuspocusMessage.Stateless, (e) => encoding.writeVarString(e, '{}')),
      message('t/d', HocuspocusMessage.Close),
    ];
    for (const bytes of accepted) {
      expect(inspectClientMessage(bytes)).toMatchObject({ kind: 'accept', documentName: 't/d' });
    }
  });

  it('refuses server-only and unknown types with UNSUPPORTED_MESSAGE', () => {
    for (const type of [
      HocuspocusMessage.SyncReply,
      HocuspocusMessage.BroadcastStateless,
      HocuspocusMessage.SyncStatus,
      HocuspocusMessage.Ping,
      HocuspocusMessage.Pong,
      77,
    ]) {
      expect(inspectClientMessage(message('t/d', type, (e) => encoding.writeVarString(e, 'x')))).toEqual(unsupported);
    }
    const unknownStep = message('t/d', HocuspocusMessage.Sync, (e) => {
      encoding.writeVarUint(e, 3);
      encoding.writeVarUint8Array(e, Uint8Array.of(0));
    });
    expect(inspectClientMessage(unknownStep)).toEqual(unsupported);
  });

  it('refuses truncated bodies and unreadable addresses with MALFORMED_MESSAGE', () => {
    expect(inspectClientMessage(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f))).toEqual(malformed);
    expect(inspectClientMessage(message('t/d', HocuspocusMessage.Stateless))).toEqual(malformed);
    expect(inspectClientMessage(message('t/d', HocuspocusMessage.Auth, (e) => encoding.writeVarUint(e, 1)))).toEqual(
      malformed,
    );
  });

  it('marks an address with a NUL as an invalid name', () => {
    expect(inspectClientMessage(message('t/d\u0000session', HocuspocusMessage.QueryAwareness))).toEqual({
      kind: 'invalid-name',
      address: 't/d\u0000session',
    });
  });
});
