import { CoffreError, type DocumentId, type DocumentRole, ErrorCode } from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountSession.ts';
import type { DocumentRepository } from '../sharing/DocumentRepository.ts';
import type { LinkRepository } from '../sharing/LinkRepository.ts';
import { requireAccess } from '../sharing/requireAccess.ts';
import type { ChunkRepository } from './ChunkRepository.ts';
import { type DriveReader, isLinkReader } from './DriveReader.ts';
import type { Sweep, SweepRepository } from './SweepRepository.ts';

/** The repositories of one Drive transaction. */
export interface DriveRepositories {
  documents: DocumentRepository;
  chunks: ChunkRepository;
  sweeps: SweepRepository;
  links: LinkRepository;
}

/**
 * The reader's role in the space ('link' for a share link's session):
 * FORBIDDEN for a link of another space, a revoked one, or a non-member.
 */
export async function requireReader(
  { documents, links }: DriveRepositories,
  reader: DriveReader,
  space: DocumentId,
): Promise<DocumentRole | 'link'> {
  if (!isLinkReader(reader)) return (await requireAccess(documents, reader, space, {})).role;
  if (reader.space !== space || !(await links.isLive(reader.linkId, space))) {
    throw new CoffreError(ErrorCode.Forbidden);
  }
  return 'link';
}

export async function requireOwner(
  { documents }: DriveRepositories,
  session: AccountSession,
  space: DocumentId,
): Promise<void> {
  const { role } = await requireAccess(documents, session, space, {});
  if (role !== 'owner') {
    throw new CoffreError(ErrorCode.Forbidden, "Only an owner of the space can remove its files' unused chunks.");
  }
}

/** The caller's live sweep of the space: NOT_FOUND when unknown, expired, another space's or another user's. */
export async function requireSweep(
  repositories: DriveRepositories,
  session: AccountSession,
  space: DocumentId,
  sweepId: string,
): Promise<Sweep> {
  await requireOwner(repositories, session, space);
  const sweep = await repositories.sweeps.find(space, sweepId, session.userId);
  if (!sweep)
    throw new CoffreError(ErrorCode.NotFound, 'No such sweep of this space (it may have expired): start another.');
  return sweep;
}

export async function requireWriter(
  { documents }: DriveRepositories,
  session: AccountSession,
  space: DocumentId,
): Promise<void> {
  const { role } = await requireAccess(documents, session, space, {});
  if (role === 'viewer') throw new CoffreError(ErrorCode.ReadOnly, 'Only owners and editors can add files here.');
}

/**
 * Whether each caller may add chunks to each space, asked once per user and
 * space in one transaction (a batch of uploads asks many times): the
 * refusal (READ_ONLY, FORBIDDEN, NOT_FOUND), or null.
 */
export class WriterCheck {
  readonly #repositories: DriveRepositories;
  readonly #answers = new Map<string, CoffreError | null>();

  constructor(repositories: DriveRepositories) {
    this.#repositories = repositories;
  }

  async refusal(session: AccountSession, space: DocumentId): Promise<CoffreError | null> {
    const key = `${session.userId}\u0000${space}`;
    const known = this.#answers.get(key);
    if (known !== undefined) return known;
    let answer: CoffreError | null = null;
    try {
      await requireWriter(this.#repositories, session, space);
    } catch (refusal) {
      if (!(refusal instanceof CoffreError)) throw refusal;
      answer = refusal;
    }
    this.#answers.set(key, answer);
    return answer;
  }
}
