import { type TabMessage, parseTabMessage } from './tabMessages.ts';

/**
 * The channel the tabs of one device share for one document
 * (BroadcastChannel, same origin): it posts {@link TabMessage}s and hands
 * on only the messages this version understands.
 */
export class TabChannel {
  readonly #channel: BroadcastChannel;
  #closed = false;

  constructor(name: string, onMessage: (message: TabMessage) => void) {
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = parseTabMessage(event.data);
      if (message && !this.#closed) onMessage(message);
    };
  }

  post(message: TabMessage): void {
    if (!this.#closed) this.#channel.postMessage(message);
  }

  close(): void {
    this.#closed = true;
    this.#channel.close();
  }
}
