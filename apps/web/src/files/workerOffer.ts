/** How long the service worker may take to take an offer before the page does without it. */
const OFFER_TIMEOUT_MS = 3_000;

/** A random id for an offer: 32 hex characters. */
export function offerId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Offers the service worker bytes this page will feed it (a download, a
 * media stream: see pwa/downloadStreams.ts and pwa/mediaStreams.ts) over a
 * new MessageChannel; resolves with the page's end of it once the worker
 * answers `ready`, or null when no worker controls the page or it does not
 * answer (the caller then does without: a Blob).
 */
export async function offerToWorker<Message extends { type: string }>(message: Message): Promise<MessagePort | null> {
  const worker = globalThis.navigator?.serviceWorker?.controller;
  if (!worker) return null;
  const { port1, port2 } = new MessageChannel();
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), OFFER_TIMEOUT_MS);
    port1.onmessage = (event: MessageEvent<{ type?: unknown }>) => {
      if (event.data.type !== 'ready') return;
      clearTimeout(timer);
      resolve(true);
    };
  });
  worker.postMessage(message, [port2]);
  if (await ready) return port1;
  port1.close();
  return null;
}
