/** Home / Work / Garden: every folder above the open one is a button back to it. */
export function FolderBreadcrumb({
  path,
  onOpen,
}: {
  path: readonly { id: string; name: string }[];
  onOpen: (folderId: string | null) => void;
}) {
  const openFolderId = path[path.length - 1]?.id ?? null;
  return (
    <nav className="breadcrumb" aria-label="Folders">
      <ol>
        <li>
          {openFolderId !== null ? (
            <button className="breadcrumb-link" type="button" onClick={() => onOpen(null)}>
              Home
            </button>
          ) : (
            <span aria-current="page">Home</span>
          )}
        </li>
        {path.map((folder) => (
          <li key={folder.id}>
            <span className="breadcrumb-separator" aria-hidden="true">
              /
            </span>
            {folder.id === openFolderId ? (
              <span aria-current="page">{folder.name}</span>
            ) : (
              <button className="breadcrumb-link" type="button" onClick={() => onOpen(folder.id)}>
                {folder.name}
              </button>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
