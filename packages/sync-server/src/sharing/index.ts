export {
  SharingService,
  type SharingServiceOptions,
  type DocumentAccessChange,
  type DocumentMember,
  type GrantList,
  type LinkInfo,
  type LinkSession,
} from './SharingService.ts';
export { DocumentGuard } from './DocumentGuard.ts';
export { linkSessionId, linkIdOfSession } from './linkSessionId.ts';
