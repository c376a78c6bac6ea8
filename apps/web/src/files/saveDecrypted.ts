import type { DriveFile } from '@coffre/client';
import { describeError } from '../ui/describeError.ts';
import { downloadBlob } from '../workspace/downloadFile.ts';
import type { PreviewSource } from './FilePreview.tsx';

/**
 * Decrypts a file on the device and hands it to the browser as a download,
 * saying so meanwhile (`onBusy`) and telling a failure in words (`onError`).
 */
export async function saveDecrypted(
  source: Pick<PreviewSource, 'download'>,
  file: DriveFile,
  onBusy: (message: string | null) => void,
  onError: (message: string | null) => void,
): Promise<void> {
  onError(null);
  onBusy(`Decrypting “${file.name}”…`);
  try {
    downloadBlob(file.name, await source.download(file));
  } catch (failure) {
    onError(describeError(failure));
  } finally {
    onBusy(null);
  }
}
