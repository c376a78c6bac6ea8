import { NameForm } from '../../ui/NameForm.tsx';
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
    <NameForm
      label={form.id ? 'Rename folder' : 'New folder'}
      inputLabel="Folder name"
      placeholder="Folder name"
      value={form.name}
      maxLength={MAX_FOLDER_NAME_LENGTH}
      submitLabel={form.id ? 'Save' : 'Create folder'}
      busy={busy}
      folderIcon
      onChange={(name) => onChange({ id: form.id, name })}
      onSubmit={onSubmit}
      onCancel={onCancel}
    />
  );
}
