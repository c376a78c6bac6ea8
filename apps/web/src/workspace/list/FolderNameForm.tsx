import { FolderIcon } from '../../ui/icons.tsx';
import { MAX_FOLDER_NAME_LENGTH } from '../folderTree.ts';

/** A folder being created (`id` null) or renamed. */
export interface FolderForm {
  id: string | null;
  name: string;
}

export interface FolderNameFormProps {
  form: FolderForm;
  busy: boolean;
  onChange: (form: FolderForm) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

/** The folder name, inline: above the list for a new folder, in its row for a rename. Escape cancels. */
export function FolderNameForm({ form, busy, onChange, onSubmit, onCancel }: FolderNameFormProps) {
  return (
    <form
      className="rename-form folder-form"
      aria-label={form.id ? 'Rename folder' : 'New folder'}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <FolderIcon />
      <input
        className="input-box"
        aria-label="Folder name"
        placeholder="Folder name"
        value={form.name}
        maxLength={MAX_FOLDER_NAME_LENGTH}
        autoFocus
        onChange={(event) => onChange({ id: form.id, name: event.target.value })}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
        }}
      />
      <button className="button button-primary" type="submit" disabled={busy || form.name.trim() === ''}>
        {form.id ? 'Save' : 'Create folder'}
      </button>
      <button className="button" type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
