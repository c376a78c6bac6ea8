import { FolderIcon } from './icons.tsx';

export interface NameFormProps {
  /** The form's accessible name ("New folder", "Rename the shared folder"). */
  label: string;
  /** The text box's accessible name. */
  inputLabel: string;
  placeholder?: string;
  value: string;
  maxLength: number;
  /** The submit button's text ("Create folder", "Save"). */
  submitLabel: string;
  /** Submit is off meanwhile (it is off too while the name is blank). */
  busy?: boolean;
  /** A folder icon before the box (folders; not a file's rename). */
  folderIcon?: boolean;
  onChange: (value: string) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

/** A name typed inline, for a new folder or a rename: Enter submits, Escape and Cancel cancel. */
export function NameForm(props: NameFormProps) {
  const { value, onCancel } = props;
  return (
    <form
      className="rename-form folder-form"
      aria-label={props.label}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      {props.folderIcon ? <FolderIcon /> : null}
      <input
        className="input-box"
        aria-label={props.inputLabel}
        placeholder={props.placeholder}
        value={value}
        maxLength={props.maxLength}
        autoFocus
        onChange={(event) => props.onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
        }}
      />
      <button className="button button-primary" type="submit" disabled={props.busy === true || value.trim() === ''}>
        {props.submitLabel}
      </button>
      <button className="button" type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
