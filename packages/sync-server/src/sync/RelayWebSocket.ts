import { WebSocket } from 'ws';
import { documentedSocketClose } from './libraryAnswers.ts';

/**
 * The relay's server-side WebSocket (ws lets a server choose its class):
 * every close goes out with a documented code, including the ones ws and
 * Hocuspocus choose themselves (see {@link documentedSocketClose}), such as
 * ws's 1009 for a frame over `maxPayload`, which becomes MESSAGE_TOO_LARGE.
 */
export class RelayWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    const documented = documentedSocketClose(code, typeof data === 'string' ? data : data?.toString());
    if (code === undefined && data === undefined) super.close();
    else super.close(documented.code, documented.reason);
  }
}
