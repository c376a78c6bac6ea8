import { type ReactNode, useEffect, useRef } from 'react';

/** A button that takes focus when it appears (the next step of a dialog), once. */
export function AutoFocusButton({
  className,
  disabled,
  onClick,
  children,
}: {
  className: string;
  disabled?: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    button.current?.focus();
  }, []);
  return (
    <button ref={button} className={className} type="button" disabled={disabled} onClick={onClick}>
      {children}
    </button>
  );
}
