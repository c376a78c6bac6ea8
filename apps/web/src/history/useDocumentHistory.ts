import { useEffect, useState } from 'react';
import type { DocumentVersion, LocalDocument, TabRole, VersionHistory, YjsEngine } from '@coffre/client';

/** Milliseconds between two automatic versions while the content changes. */
export const AUTO_SAVE_INTERVAL_MS = 10 * 60_000;

/** The label of versions saved without anyone asking. */
export const AUTO_SAVE_LABEL = '';

export interface DocumentHistoryState {
  history: VersionHistory | null;
  /** Whether this tab seals the document (`writer`) or hands its edits to another tab of this browser. */
  tabRole: TabRole;
  /** Newest first. */
  versions: DocumentVersion[];
}

/** The document's versions, listed again whenever the envelope's `versions` array changes (here or elsewhere). */
export function useDocumentHistory(document: LocalDocument<YjsEngine>): DocumentHistoryState {
  const [tabRole, setTabRole] = useState<TabRole>(() => document.role);
  const [versions, setVersions] = useState<DocumentVersion[]>(() => document.history?.list() ?? []);
  useEffect(() => {
    setTabRole(document.role);
    return document.on('role', setTabRole);
  }, [document]);
  const history = tabRole === 'starting' ? null : document.history;
  useEffect(() => {
    if (!history) return;
    const update = () => setVersions(history.list());
    update();
    history.versions.observe(update);
    // Versions by other devices may wait for their keys: listed once the entries are read.
    const offRemote = document.on('remote-change', update);
    return () => {
      history.versions.unobserve(update);
      offRemote();
    };
  }, [document, history]);
  return { history, tabRole, versions: history ? versions : [] };
}

/**
 * Saves a version when the content changed since the last one and this
 * tab is the document's writer (followers' edits reach the writer, which
 * saves them): when the document is left, when the page is hidden, and
 * every {@link AUTO_SAVE_INTERVAL_MS} while editing.
 */
export function useAutoSaveVersions(document: LocalDocument<YjsEngine>, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const saveIfChanged = () => {
      const history = document.history;
      if (document.role !== 'writer' || !history?.changedSinceSave) return;
      history.save(AUTO_SAVE_LABEL);
      // The page may be going away: seal and store now.
      document.flush();
    };
    const onVisibility = () => {
      if (window.document.visibilityState === 'hidden') saveIfChanged();
    };
    const timer = setInterval(saveIfChanged, AUTO_SAVE_INTERVAL_MS);
    // Before the document's own handlers, which keep what IndexedDB has not stored yet.
    window.document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', saveIfChanged, { capture: true });
    return () => {
      clearInterval(timer);
      window.document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', saveIfChanged, { capture: true });
      // Leaving the document (the editor goes before the document closes).
      saveIfChanged();
    };
  }, [document, enabled]);
}
