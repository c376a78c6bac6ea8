import type { ComponentProps, ReactNode } from 'react';
import { Checkbox, Field } from '../ui/Field.tsx';
import { BusyNotice, ErrorNotice } from '../ui/Notices.tsx';
import { RememberHint } from './RememberHint.tsx';

export interface AuthFormProps {
  /** What is under way, or null; the form is busy and its button disabled meanwhile. */
  busy: string | null;
  error: string | null;
  /** The submit button's text. */
  submitLabel: string;
  onSubmit: () => Promise<void>;
  /** The fields. */
  children: ReactNode;
  /** After the submit button. */
  after?: ReactNode;
}

/** A form of the account screens, submitted in script, busy (for screen readers) while `busy` says what is under way. */
export function BusyForm({
  busy,
  onSubmit,
  children,
}: {
  busy: string | null;
  onSubmit: () => Promise<void>;
  children: ReactNode;
}) {
  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        void onSubmit();
      }}
      aria-busy={busy !== null}
    >
      {children}
    </form>
  );
}

/** The form of the sign-up, log-in and unlock screens: fields, then errors, progress and the submit button. */
export function AuthForm({ busy, error, submitLabel, onSubmit, children, after }: AuthFormProps) {
  return (
    <BusyForm busy={busy} onSubmit={onSubmit}>
      {children}
      <ErrorNotice message={error} />
      <BusyNotice message={busy} />
      <button className="button button-primary" type="submit" disabled={busy !== null}>
        {submitLabel}
      </button>
      {after}
    </BusyForm>
  );
}

/** The "Keep me signed in" choice of the sign-up and log-in screens. */
export function RememberCheckbox({
  checked,
  onCheckedChange,
}: {
  checked: boolean;
  onCheckedChange: (value: boolean) => void;
}) {
  return (
    <Checkbox
      label="Keep me signed in on this device"
      checked={checked}
      onCheckedChange={onCheckedChange}
      hint={<RememberHint />}
    />
  );
}

type FieldProps = ComponentProps<typeof Field>;

/** The organisation (tenant) field of the sign-up and log-in screens. */
export function OrganisationField(props: Omit<FieldProps, 'label' | 'name'>) {
  return (
    <Field
      label="Organisation"
      name="organisation"
      autoComplete="organization"
      autoCapitalize="none"
      spellCheck={false}
      required
      {...props}
    />
  );
}

/** The email field of the sign-up and log-in screens. */
export function EmailField(props: Omit<FieldProps, 'label' | 'name' | 'type'>) {
  return <Field label="Email" name="email" type="email" autoComplete="username" required {...props} />;
}

/** The password field of the sign-up, log-in and unlock screens; `autoComplete` says which password it is. */
export function PasswordField(props: Omit<FieldProps, 'label' | 'name' | 'type'> & { autoComplete: string }) {
  return <Field label="Password" name="password" type="password" required {...props} />;
}

/** The name this device is listed under, on the sign-up and log-in screens. */
export function DeviceNameField(props: Omit<FieldProps, 'label' | 'name'>) {
  return <Field label="Name of this device" name="device" required maxLength={100} {...props} />;
}
