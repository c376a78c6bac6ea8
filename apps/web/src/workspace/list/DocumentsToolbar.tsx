import type { ReactNode } from 'react';
import { SearchIcon } from '../../ui/icons.tsx';

/** The search box, then the new-item buttons. */
export function DocumentsToolbar({
  query,
  onQueryChange,
  children,
}: {
  query: string;
  onQueryChange: (query: string) => void;
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
          placeholder="Search titles and text"
          value={query}
          onChange={(event) => onQueryChange(event.target.value)}
        />
      </div>
      {children}
    </div>
  );
}
