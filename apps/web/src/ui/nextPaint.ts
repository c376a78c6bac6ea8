/**
 * Resolves after the browser has painted once more. Argon2id blocks the
 * main thread, so a "Deriving your keys…" message must be on screen before
 * the derivation starts.
 */
export function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
