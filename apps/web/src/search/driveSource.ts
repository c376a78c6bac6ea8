import type { DriveView } from '../files/DriveView.ts';
import { fileText, indexesContent } from './fileText.ts';
import type { DriveSource } from './SearchIndexer.ts';

/** The user's Drive as the search indexer follows it: its space, its changes, and file text read as previews read it. */
export function driveSource(view: DriveView): DriveSource {
  return {
    space: view.space,
    subscribe: view.subscribe,
    wantsContent: indexesContent,
    isAtHand: (file) => view.offlineState(file.id) === 'kept',
    readText: (file) => fileText(view.previews, file),
  };
}
