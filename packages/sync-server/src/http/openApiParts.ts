import { z } from 'zod';
import { IdSchema } from '@coffre/protocol';
import { ApiErrorBodySchema } from './errorResponse.ts';

/* The pieces every OpenAPI route file of the API builds its routes from. */

export const TenantParams = z.object({ tenant: IdSchema });
export const DeviceParams = z.object({ tenant: IdSchema, deviceId: IdSchema });

/** A JSON body or answer of `schema`. */
export const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
/** A required JSON request body. */
export const body = <T extends z.ZodType>(schema: T) => ({ ...json(schema), required: true });
/** An error answer (`{ error: { code, message } }`), described by the codes it may carry. */
export const failure = (description: string) => ({ ...json(ApiErrorBodySchema), description });
/** Bearer routes: an access token of this tenant whose session and device are live. */
export const bearer = { security: [{ bearerAuth: [] }] };
