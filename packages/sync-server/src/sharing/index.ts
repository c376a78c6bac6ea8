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
export { LinkSharing } from './LinkSharing.ts';
export type {
  AddMemberRequest,
  CertifyDeviceRequest,
  CreateDocumentRequest,
  CreateLinkRequest,
  LinkSessionRequest,
  RotateRequest,
} from './requests.ts';
export { type SharingRepositories, sharingRepositories } from './sharingRepositories.ts';
export { DocumentRepository, type DocumentAccessRow, type MemberDocumentRow } from './DocumentRepository.ts';
export { MemberRepository, type MemberRow } from './MemberRepository.ts';
export { GrantRepository, type GrantRow, type NewGrant } from './GrantRepository.ts';
export {
  LinkRepository,
  type LinkKey,
  type LinkRole,
  type LinkRow,
  type LinkSessionRow,
  type NewLink,
} from './LinkRepository.ts';
