import { useState } from 'react';
import { useAccountController } from '../account/AccountContext.tsx';
import { AuthLayout } from '../layout/AuthLayout.tsx';
import { Link } from '../router/Link.tsx';
import { routes } from '../router/routes.ts';
import { navigate } from '../router/useHashLocation.ts';
import { defaultDeviceName } from '../ui/defaultDeviceName.ts';
import { describeError } from '../ui/describeError.ts';
import { nextPaint } from '../ui/nextPaint.ts';
import { passwordStrength } from '../ui/passwordStrength.ts';
import { PasswordStrengthMeter } from '../ui/PasswordStrengthMeter.tsx';
import {
  AuthForm,
  DeviceNameField,
  EmailField,
  OrganisationField,
  PasswordField,
  RememberCheckbox,
} from './AuthForm.tsx';

export function SignUpScreen({ defaultTenant }: { defaultTenant: string | null }) {
  const controller = useAccountController();
  const [tenant, setTenant] = useState(defaultTenant ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [deviceName, setDeviceName] = useState(defaultDeviceName);
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const strength = passwordStrength(password);

  const submit = async () => {
    if (busy) return;
    if (!strength.acceptable) {
      setError(`Choose a password of at least 10 characters. ${strength.hint}`);
      return;
    }
    setError(null);
    setBusy('Deriving your keys from your password…');
    await nextPaint();
    try {
      await controller.signUp({ tenant: tenant.trim(), email, password, deviceName: deviceName.trim(), remember });
      navigate(routes.documents, { replace: true });
    } catch (caught) {
      setError(describeError(caught));
      setBusy(null);
    }
  };

  return (
    <AuthLayout>
      <h1 className="page-title">Create your account</h1>
      <p className="lede">Your keys are made in this browser. Nobody, not even the relay, can read your documents.</p>
      <AuthForm busy={busy} error={error} submitLabel="Create account" onSubmit={submit}>
        <OrganisationField
          value={tenant}
          onValueChange={setTenant}
          hint={
            defaultTenant
              ? 'The organisation on this relay. Its first member becomes its administrator.'
              : 'The short name your administrator gave you, e.g. acme.'
          }
        />
        <EmailField value={email} onValueChange={setEmail} autoFocus />
        <PasswordField
          value={password}
          onValueChange={setPassword}
          autoComplete="new-password"
          minLength={10}
          hint={<PasswordStrengthMeter strength={strength} />}
        />
        <DeviceNameField
          value={deviceName}
          onValueChange={setDeviceName}
          hint="Shown in your list of devices, so you can tell them apart."
        />
        <RememberCheckbox checked={remember} onCheckedChange={setRemember} />
        <p className="warning-text">
          There is no password reset: your password is the only way to your keys. Keep it in a password manager.
        </p>
      </AuthForm>
      <p className="switch">
        Already have an account? <Link to={routes.logIn}>Log in</Link>
      </p>
    </AuthLayout>
  );
}
