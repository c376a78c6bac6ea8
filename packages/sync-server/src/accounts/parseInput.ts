import type { z } from 'zod';
import { CoffreError, ErrorCode } from '@coffre/protocol';

/**
 * Validates a value the HTTP layer has validated already, for callers that
 * bypass it (tests, other hosts): `VALIDATION_FAILED` when it does not parse.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CoffreError(ErrorCode.ValidationFailed);
  return result.data;
}
