import { useState } from 'react';
import { useAccountController } from '../account/AccountContext.tsx';
import { AuthLayout } from '../layout/AuthLayout.tsx';
import type { LockedAccount } from '../session/SessionVault.ts';
import { describeError } from '../ui/describeError.ts';
import { nextPaint } from '../ui/nextPaint.ts';
import { AuthForm, PasswordField } from './AuthForm.tsx';

/** After a reload: the session is on this device, sealed; the password opens it without the network. */
export function UnlockScreen({ account }: { account: LockedAccount }) {
  const controller = useAccountController();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    if (busy) return;
    setError(null);
    setBusy('Deriving your keys…');
    await nextPaint();
    try {
      await controller.unlock(password);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(null);
    }
  };

  return (
    <AuthLayout>
      <h1 className="page-title">Unlock Coffre</h1>
      <p className="lede">
        Signed in as <strong>{account.email}</strong> in <strong>{account.tenant}</strong>. Your session is sealed on
        this device; enter your password to open it.
      </p>
      <AuthForm busy={busy} error={error} submitLabel="Unlock" onSubmit={submit}>
        <input type="email" name="username" autoComplete="username" value={account.email} readOnly hidden />
        <PasswordField value={password} onValueChange={setPassword} autoComplete="current-password" autoFocus />
      </AuthForm>
      <p className="switch">
        Not you?{' '}
        <button className="button button-link" type="button" onClick={() => void controller.forgetDevice()}>
          Sign out of this device
        </button>
      </p>
    </AuthLayout>
  );
}
