import type { ReactNode } from 'react';
import { EmptyDocumentsIllustration, EmptyFolderIllustration } from '../../ui/icons.tsx';
import { BusyNotice, InfoNotice } from '../../ui/Notices.tsx';

/** No document and no folder at all yet: what Coffre does with a first one, and the new-item buttons. */
export function NoDocumentsYet({ busy, children }: { busy: string | null; children: ReactNode }) {
  return (
    <section className="empty-state" aria-labelledby="documents-empty-title">
      <EmptyDocumentsIllustration />
      <h2 id="documents-empty-title">No documents here yet</h2>
      <p>
        No documents yet — create your first one. It is encrypted in this browser before anything is sent, and documents
        others share with you will appear here too.
      </p>
      <div className="empty-actions">{children}</div>
      <BusyNotice message={busy} />
    </section>
  );
}

/** The open folder (or Home, filtered) holds nothing to show. */
export function EmptyFolder({ heading, inFolder }: { heading: string; inFolder: boolean }) {
  return (
    <section className="empty-state folder-empty" aria-labelledby="folder-empty-title">
      <EmptyFolderIllustration />
      <h2 id="folder-empty-title">{heading}</h2>
      <p>
        {inFolder
          ? 'Create a document, a note or a folder in it with the buttons above, or use “Move to…” on a document elsewhere to put it here.'
          : 'Create one with the buttons above, or open a folder.'}
      </p>
    </section>
  );
}

export function OfflineNotice() {
  return (
    <InfoNotice>
      You are offline: these are the documents kept on this device. Changes are saved here and sent once the relay can
      be reached again.
    </InfoNotice>
  );
}
