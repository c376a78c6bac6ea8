import { useCallback, useState } from 'react';
import type { DriveFile } from '@coffre/client';
import { describeError } from '../ui/describeError.ts';
import type { DriveView } from './DriveView.ts';
import { formatBytes } from './formatFile.ts';

/**
 * Saving a file to disk from a screen (`DriveView.save`): what to show
 * while it is decrypted ("Saving “a.pdf”: 12 MB of 40 MB"), and the failure
 * in words. A download the person cancels in the browser is no failure.
 */
export function useSaveFile(view: Pick<DriveView, 'save'>): {
  save: (file: DriveFile, version?: number) => Promise<void>;
  progress: string | null;
  error: string | null;
} {
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = useCallback(
    async (file: DriveFile, version?: number) => {
      setError(null);
      setProgress(`Decrypting “${file.name}”…`);
      try {
        await view.save(file, {
          ...(version === undefined ? {} : { version }),
          onProgress: (saved, total) =>
            setProgress(`Saving “${file.name}”: ${formatBytes(saved)} of ${formatBytes(total)} decrypted`),
        });
      } catch (failure) {
        if (!(failure instanceof DOMException && failure.name === 'AbortError')) setError(describeError(failure));
      } finally {
        setProgress(null);
      }
    },
    [view],
  );
  return { save, progress, error };
}
