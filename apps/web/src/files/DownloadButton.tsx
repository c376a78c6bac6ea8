import type { DriveFile } from '@coffre/client';

/** A file row's Download button (the Files screen, a folder opened by link); `save` is `useSaveFile`'s. */
export function DownloadButton({ file, save }: { file: DriveFile; save: (file: DriveFile) => Promise<void> }) {
  return (
    <button
      className="button button-quiet"
      type="button"
      aria-label={`Download ${file.name}`}
      onClick={() => void save(file)}
    >
      Download
    </button>
  );
}
