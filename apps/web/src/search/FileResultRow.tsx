import { FileTypeIcon } from '../files/FileTypeIcon.tsx';
import { previewKindOf } from '../files/previewKinds.ts';
import { Link } from '../router/Link.tsx';
import { fileRoute } from '../router/routes.ts';
import { FolderIcon } from '../ui/icons.tsx';
import type { SearchHit } from './SearchIndex.ts';
import './search.css';

/** A file or folder of the Drive found by the search: its icon, name, where it is and the matching line. */
export function FileResultRow({ hit }: { hit: SearchHit }) {
  return (
    <li className="list-row search-result">
      {hit.kind === 'folder' ? <FolderIcon /> : <FileTypeIcon kind={previewKindOf(hit.title, '')} />}
      <div className="list-main">
        <div className="list-title">
          <Link to={fileRoute(hit.id)} className="document-link" data-search-result="">
            {hit.title}
          </Link>
          <span className="badge">{hit.kind === 'folder' ? 'Folder' : 'File'}</span>
        </div>
        <div className="list-meta">
          <span className="search-where">In Files{hit.where === '' ? '' : ` / ${hit.where}`}</span>
          {hit.line ? <span className="document-snippet">{hit.line}</span> : null}
        </div>
      </div>
    </li>
  );
}
