export { RelayServer, type RelayServerOptions } from './RelayServer.ts';
export { RelayError } from './RelayError.ts';
export { CoffreExtension, mergeEnvelopeUpdates, type ConnectionContext } from './CoffreExtension.ts';
export { validateEnvelopeUpdate, type EnvelopeUpdateSummary } from './envelope/validateEnvelopeUpdate.ts';
export { TokenVerifier, type TokenVerifierOptions } from './auth/TokenVerifier.ts';
export {
  type TokenKeys,
  type MintOptions,
  TOKEN_ALGORITHM,
  DEFAULT_ISSUER,
  generateTokenKeys,
  loadOrCreateTokenKeys,
  mintAccessToken,
} from './auth/TokenKeys.ts';
export { createLogger, type Logger } from './logger.ts';
export * from './storage/index.ts';
