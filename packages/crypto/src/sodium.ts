import sodium from 'libsodium-wrappers-sumo';

let initialised = false;

/**
 * Loads libsodium's WebAssembly module. Every other function of this package
 * is synchronous and requires this promise to have resolved once.
 */
export async function ready(): Promise<void> {
  await sodium.ready;
  initialised = true;
}

/** The loaded libsodium instance; throws when {@link ready} was not awaited. */
export function lib(): typeof sodium {
  if (!initialised) throw new Error('@coffre/crypto: await ready() before calling a crypto function');
  return sodium;
}
