import { useState } from 'react';
import { AccountError } from '@coffre/client';
import { useAccountController } from '../account/AccountContext.tsx';
import { AuthLayout } from '../layout/AuthLayout.tsx';
import { Link } from '../router/Link.tsx';
import { routes } from '../router/routes.ts';
import { navigate } from '../router/useHashLocation.ts';
import { defaultDeviceName } from '../ui/defaultDeviceName.ts';
import { describeError } from '../ui/describeError.ts';
import { Field } from '../ui/Field.tsx';
import { nextPaint } from '../ui/nextPaint.ts';
import { InfoNotice } from '../ui/Notices.tsx';
import {
  AuthForm,
  DeviceNameField,
  EmailField,
  OrganisationField,
  PasswordField,
  RememberCheckbox,
} from './AuthForm.tsx';

type Step = 'password' | 'second-factor';

interface LogInScreenProps {
  defaultTenant: string | null;
  /** The email of whoever was signed in before, when known. */
  defaultEmail: string;
  notice: string | null;
}

export function LogInScreen({ defaultTenant, defaultEmail, notice }: LogInScreenProps) {
  const controller = useAccountController();
  const [step, setStep] = useState<Step>('password');
  const [tenant, setTenant] = useState(defaultTenant ?? '');
  const [email, setEmail] = useState(defaultEmail);
  const [password, setPassword] = useState('');
  const [deviceName, setDeviceName] = useState(defaultDeviceName);
  const [remember, setRemember] = useState(false);
  const [code, setCode] = useState('');
  const [useRecoveryCode, setUseRecoveryCode] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    if (busy) return;
    setError(null);
    setBusy(step === 'password' ? 'Deriving your keys from your password…' : 'Checking the code…');
    await nextPaint();
    try {
      const secondFactor =
        step === 'second-factor' ? (useRecoveryCode ? { recoveryCode: code } : { totp: code }) : undefined;
      await controller.logIn({
        tenant: tenant.trim(),
        email,
        password,
        deviceName: deviceName.trim(),
        remember,
        ...secondFactor,
      });
      navigate(routes.documents, { replace: true });
    } catch (caught) {
      setBusy(null);
      if (caught instanceof AccountError && caught.code === 'SECOND_FACTOR_REQUIRED' && step === 'password') {
        setStep('second-factor');
        return;
      }
      setError(describeError(caught));
    }
  };

  if (step === 'second-factor') {
    return (
      <AuthLayout>
        <h1 className="page-title">Two-step verification</h1>
        <p className="lede">
          {useRecoveryCode
            ? 'Enter one of the recovery codes you saved when you turned on two-factor authentication. Each works once.'
            : 'Enter the 6-digit code from your authenticator app.'}
        </p>
        <AuthForm
          busy={busy}
          error={error}
          submitLabel="Verify and log in"
          onSubmit={submit}
          after={
            <button
              className="button button-link"
              type="button"
              onClick={() => {
                setUseRecoveryCode(!useRecoveryCode);
                setCode('');
                setError(null);
              }}
            >
              {useRecoveryCode ? 'Use the code from my app instead' : 'I lost my phone: use a recovery code'}
            </button>
          }
        >
          <Field
            key={useRecoveryCode ? 'recovery' : 'totp'}
            label={useRecoveryCode ? 'Recovery code' : 'Authentication code'}
            name={useRecoveryCode ? 'recovery-code' : 'totp'}
            value={code}
            onValueChange={setCode}
            autoComplete="one-time-code"
            inputMode={useRecoveryCode ? 'text' : 'numeric'}
            placeholder={useRecoveryCode ? 'xxxx-xxxx-xxxx' : '123456'}
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
          />
        </AuthForm>
        <p className="switch">
          <button
            className="button button-link"
            type="button"
            onClick={() => {
              setStep('password');
              setCode('');
              setError(null);
            }}
          >
            Back
          </button>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout>
      <h1 className="page-title">Log in to Coffre</h1>
      <p className="lede">Your password unlocks your keys in this browser; it is never sent anywhere.</p>
      {notice ? <InfoNotice>{notice}</InfoNotice> : null}
      <AuthForm busy={busy} error={error} submitLabel="Log in" onSubmit={submit}>
        <OrganisationField value={tenant} onValueChange={setTenant} />
        <EmailField value={email} onValueChange={setEmail} autoFocus={defaultEmail === ''} />
        <PasswordField
          value={password}
          onValueChange={setPassword}
          autoComplete="current-password"
          autoFocus={defaultEmail !== ''}
        />
        <DeviceNameField value={deviceName} onValueChange={setDeviceName} />
        <RememberCheckbox checked={remember} onCheckedChange={setRemember} />
      </AuthForm>
      <p className="switch">
        New here? <Link to={routes.signUp}>Create an account</Link>
      </p>
    </AuthLayout>
  );
}
