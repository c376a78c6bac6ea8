import { type ReactNode, useState } from 'react';

export interface DialogButtonProps {
  /** The button's text. */
  label: string;
  className: string;
  /** The dialog while open; `close` closes it. */
  dialog: (close: () => void) => ReactNode;
}

/** A button of the document screen's top bar and the dialog it opens. */
export function DialogButton({ label, className, dialog }: DialogButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className={className} type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {label}
      </button>
      {open ? dialog(() => setOpen(false)) : null}
    </>
  );
}
