import type { z } from 'zod';
import type {
  AddMemberRequestSchema,
  CertifyDeviceRequestSchema,
  CreateDocumentRequestSchema,
  CreateLinkRequestSchema,
  LinkSessionRequestSchema,
  RotateRequestSchema,
} from '@coffre/protocol';

/*
 * The sharing API's request bodies as the route schemas of @coffre/protocol
 * parse them (sharingRoutes.ts): what the sharing services take. They are
 * parsed once, at the edge; the services only decode base64url.
 */

export type CertifyDeviceRequest = z.output<typeof CertifyDeviceRequestSchema>;
export type CreateDocumentRequest = z.output<typeof CreateDocumentRequestSchema>;
export type AddMemberRequest = z.output<typeof AddMemberRequestSchema>;
export type RotateRequest = z.output<typeof RotateRequestSchema>;
export type CreateLinkRequest = z.output<typeof CreateLinkRequestSchema>;
export type LinkSessionRequest = z.output<typeof LinkSessionRequestSchema>;
