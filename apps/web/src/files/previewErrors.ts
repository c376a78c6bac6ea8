import { AccountError, ChunkRefusal, ChunkRefusedError, DriveSpaceError } from '@coffre/client';
import { describeError } from '../ui/describeError.ts';

/** What went wrong while reading a file for its preview, as the dialog says it. */
export function describePreviewError(error: unknown, keptOffline: boolean): string {
  if (error instanceof ChunkRefusedError) {
    const why =
      error.reason === ChunkRefusal.AddressMismatch
        ? 'part of it came back altered'
        : error.reason === ChunkRefusal.DecryptionFailed
          ? 'part of it does not open with its key'
          : 'part of it is not the content this file lists';
    return (
      `This file was not shown: ${why}, so this device refused it. ` +
      'The copy stored on the relay may be damaged or tampered with; nothing of it was displayed.'
    );
  }
  if (error instanceof AccountError && error.code === 'RELAY_UNREACHABLE') {
    return keptOffline
      ? 'This file is not fully on this device yet, and the relay cannot be reached. Try again once you are online.'
      : 'This file is not kept on this device, and the relay cannot be reached. Connect to the network, or choose “Keep offline” for it next time you are online.';
  }
  if (error instanceof AccountError) return describeError(error);
  if (error instanceof DriveSpaceError) {
    return 'This version of the file cannot be read on this device: its keys are missing from your Drive.';
  }
  // pdf.js's own words (pdfDocument.ts) are already sentences for people.
  if (error instanceof Error && error.name === 'PdfError') return error.message;
  return 'This file could not be shown. You can still download it.';
}
