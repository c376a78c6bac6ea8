import { useEffect, useRef, useState } from 'react';
import type { DriveFile } from '@coffre/client';
import type { FilePreviews } from './FilePreviews.ts';
import { FileTypeIcon } from './FileTypeIcon.tsx';
import { previewKindOf } from './previewKinds.ts';

/** How far below the visible part of the list a row's thumbnail is fetched already. */
const AHEAD = '300px';

/**
 * A file's thumbnail in the list, fetched and decrypted once the row comes
 * near the screen; its type's icon until then, and when there is none or it
 * cannot be read now (offline and not kept). Decorative: the row names the file.
 */
export function FileThumbnail({ previews, file }: { previews: FilePreviews; file: DriveFile }) {
  const frame = useRef<HTMLSpanElement>(null);
  const [url, setUrl] = useState<string | null>(null);
  const thumbnailId = file.latest.thumbnail?.id ?? null;
  const latest = useRef(file);
  latest.current = file;

  useEffect(() => {
    const element = frame.current;
    if (thumbnailId === null || !element) return;
    let release: (() => void) | null = null;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting) || release) return;
        observer.disconnect();
        release = previews.thumbnail(latest.current, setUrl);
      },
      { rootMargin: AHEAD },
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      release?.();
      setUrl(null);
    };
  }, [previews, thumbnailId]);

  const kind = previewKindOf(file.name, file.latest.mediaType);
  return (
    <span className={url ? `file-thumbnail file-thumbnail-${kind ?? 'other'}` : 'file-thumbnail'} ref={frame}>
      {url ? <img src={url} alt="" decoding="async" /> : <FileTypeIcon kind={kind} />}
    </span>
  );
}
