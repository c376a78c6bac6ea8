import { ready } from '@coffre/crypto';
import { type SealReply, type SealRequest, createSealHandler } from '@coffre/client/seal-worker';

/**
 * Seals chunks of files off the page's thread (sealWorkers.ts starts one per
 * core but one): the keyed hash, the encryption and the address of each
 * chunk the page cut, posted back with its bytes transferred. Only the
 * sealer and libsodium are loaded here.
 */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SealRequest>) => void) | null;
  postMessage(message: SealReply, transfer: ArrayBuffer[]): void;
};

const handle = createSealHandler();
const loaded = ready();

scope.onmessage = (event) => {
  void loaded.then(
    () => {
      const { reply, transfer } = handle(event.data);
      scope.postMessage(reply, transfer);
    },
    (error: unknown) => {
      scope.postMessage({ id: event.data.id, ok: false, message: String(error) }, []);
    },
  );
};
