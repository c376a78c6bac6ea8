import type { DocumentKind } from '../documentMeta.ts';

export interface NewButtonsProps {
  busy: boolean;
  offline: boolean;
  /** Why no folder can be made now, shown as the button's tooltip; undefined when one can. */
  cannotFolder: string | undefined;
  onNewFolder: () => void;
  onCreate: (kind: DocumentKind) => void;
}

/** New folder, New note, New document: above the list, and in its empty state. */
export function NewButtons({ busy, offline, cannotFolder, onNewFolder, onCreate }: NewButtonsProps) {
  const cannotCreate = offline ? 'Creating a document needs the relay: you are offline.' : undefined;
  return (
    <>
      <button
        className="button"
        type="button"
        disabled={busy || cannotFolder !== undefined}
        title={cannotFolder}
        onClick={onNewFolder}
      >
        New folder
      </button>
      <button
        className="button"
        type="button"
        disabled={busy || offline}
        title={cannotCreate}
        onClick={() => onCreate('note')}
      >
        New note
      </button>
      <button
        className="button button-primary"
        type="button"
        disabled={busy || offline}
        title={cannotCreate}
        onClick={() => onCreate('document')}
      >
        New document
      </button>
    </>
  );
}
