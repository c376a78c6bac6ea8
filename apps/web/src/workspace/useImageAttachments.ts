import { useEffect, useMemo, useState } from 'react';
import { type DocumentAttachments, checkNewAttachment } from '@coffre/client';
import type { ImageAttachments } from '@coffre/editor';
import { describeError } from '../ui/describeError.ts';
import type { OpenedDocument } from './AccountWorkspace.ts';
import { useAccountWorkspace } from './WorkspaceContext.tsx';

/**
 * The images of an opened document for its editor: opened from the
 * document's chunks (decrypted here, shown from `blob:` URLs), and, for its
 * owners and editors, pasted, dropped or inserted images sealed here and
 * sent (again when the network returns). `problem` says in words what
 * could not be added or sent.
 */
export function useImageAttachments(opened: OpenedDocument): { attachments: ImageAttachments; problem: string | null } {
  const workspace = useAccountWorkspace();
  const [problem, setProblem] = useState<string | null>(null);
  const loading = useMemo(
    () =>
      workspace.attachments(opened, (name, error) =>
        setProblem(`The image ${name} could not be sent: ${describeError(error)}`),
      ),
    [workspace, opened],
  );

  // Sending runs while the document is open here: what waits on the device goes now and when the network returns.
  useEffect(() => {
    let attachments: DocumentAttachments | null = null;
    let stopped = false;
    const online = () => attachments?.sendPending();
    void loading.then(
      (loaded) => {
        if (stopped) return;
        attachments = loaded;
        loaded.sendPending();
        window.addEventListener('online', online);
      },
      () => undefined,
    );
    return () => {
      stopped = true;
      window.removeEventListener('online', online);
      attachments?.stop();
    };
  }, [loading]);

  const attachments = useMemo<ImageAttachments>(() => {
    const open = async (reference: string) => (await loading).open(reference);
    if (opened.role === 'viewer') return { open };
    return {
      open,
      add: async (file: File) => {
        // Before reading it: a 2 GB file dropped by mistake is never read into memory.
        checkNewAttachment(file.size, file.type);
        const bytes = new Uint8Array(await file.arrayBuffer());
        const reference = await (
          await loading
        ).add({ bytes, name: file.name, mediaType: file.type, modifiedAt: file.lastModified });
        setProblem(null);
        return reference;
      },
      onAddError: setProblem,
    };
  }, [loading, opened.role]);

  return { attachments, problem };
}
