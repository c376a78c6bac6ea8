import type { KeyboardEvent, ReactNode } from 'react';
import { SearchIcon } from '../../ui/icons.tsx';

/** The search box, then the new-item buttons. */
export function DocumentsToolbar({
  query,
  onQueryChange,
  onSearchKey,
  onSearchFocus,
  children,
}: {
  query: string;
  onQueryChange: (query: string) => void;
  /** Keys typed in the search box (arrows and Enter go to the results). */
  onSearchKey?: (event: KeyboardEvent<HTMLInputElement>) => void;
  /** The search box got the focus (it is given, for the results' ArrowUp to come back to). */
  onSearchFocus?: (box: HTMLInputElement) => void;
  children: ReactNode;
}) {
  return (
    <div className="documents-bar">
      <div className="documents-search">
        <SearchIcon />
        <input
          className="input-box"
          type="search"
          aria-label="Search documents"
          placeholder="Search documents and files"
          value={query}
          onChange={(event) => onQueryChange(event.target.value)}
          onKeyDown={onSearchKey}
          onFocus={(event) => onSearchFocus?.(event.currentTarget)}
        />
      </div>
      {children}
    </div>
  );
}
