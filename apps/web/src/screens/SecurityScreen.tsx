import { type ReactNode, useEffect, useState } from 'react';
import { AccountError, type TotpSetup } from '@coffre/client';
import { useAccountController, useSignedIn } from '../account/AccountContext.tsx';
import { describeError } from '../ui/describeError.ts';
import { Checkbox, Field } from '../ui/Field.tsx';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { QrCode } from '../ui/QrCode.tsx';
import { setShowTitlesInTab, useShowTitlesInTab } from '../session/showTitlesInTab.ts';
import { BusyForm, RememberCheckbox } from './AuthForm.tsx';

/** Where the two-factor card stands; `loading` until the relay said whether it is on (`GET /me`). */
type TwoFactorView =
  | { step: 'loading' }
  | { step: 'unavailable'; message: string }
  | { step: 'setting-up'; setup: TotpSetup }
  | { step: 'recovery-codes'; codes: string[] }
  | { step: 'on' }
  | { step: 'disabling' }
  | { step: 'off' };

/** Groups a base32 secret in fours so it can be typed into an app by hand. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const text = `Coffre recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = 'coffre-recovery-codes.txt';
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="card card-highlight">
      <h3>Save your recovery codes</h3>
      <p>
        Two-factor authentication is on. If you lose your phone, each of these codes lets you log in once.{' '}
        <strong>They are shown only now.</strong> Store them in your password manager or print them.
      </p>
      <ol className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="actions">
        <button
          className="button"
          type="button"
          onClick={() => {
            navigator.clipboard.writeText(codes.join('\n')).then(
              () => setCopied('Copied to the clipboard.'),
              () => setCopied('This browser did not allow copying. Select the codes or download them.'),
            );
          }}
        >
          Copy codes
        </button>
        <button className="button" type="button" onClick={download}>
          Download as a text file
        </button>
      </div>
      {copied ? <InfoNotice>{copied}</InfoNotice> : null}
      <Checkbox label="I have saved my recovery codes" checked={saved} onCheckedChange={setSaved} />
      <button className="button button-primary" type="button" disabled={!saved} onClick={onDone}>
        Done
      </button>
    </div>
  );
}

function TwoFactorSection() {
  const { account } = useSignedIn();
  const [view, setView] = useState<TwoFactorView>({ step: 'loading' });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    account.me().then(
      (me) => {
        if (current) setView({ step: me.twoFactor ? 'on' : 'off' });
      },
      (caught: unknown) => {
        if (current) setView({ step: 'unavailable', message: describeError(caught) });
      },
    );
    return () => {
      current = false;
    };
  }, [account, generation]);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (message: string, task: () => Promise<void>) => {
    if (busy) return;
    setError(null);
    setBusy(message);
    try {
      await task();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  const startSetup = () =>
    run('Preparing…', async () => {
      try {
        const setup = await account.setupTotp();
        setCode('');
        setView({ step: 'setting-up', setup });
      } catch (caught) {
        if (caught instanceof AccountError && caught.code === 'TWO_FACTOR_ALREADY_ENABLED') {
          setView({ step: 'on' });
          return;
        }
        throw caught;
      }
    });

  const confirm = () =>
    run('Checking the code…', async () => {
      const codes = await account.confirmTotp(code);
      setCode('');
      setView({ step: 'recovery-codes', codes });
    });

  const disable = () =>
    run('Turning two-factor authentication off…', async () => {
      const trimmed = code.trim();
      await account.disableTotp(/^\d[\d\s]*$/.test(trimmed) ? { code: trimmed } : { recoveryCode: trimmed });
      setCode('');
      setView({ step: 'off' });
    });

  const form = (onSubmit: () => Promise<void>, children: ReactNode) => (
    <BusyForm busy={busy} onSubmit={onSubmit}>
      {children}
    </BusyForm>
  );

  return (
    <section className="card" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor authentication</h2>
      <p className="card-lede">
        Asks for a code from an authenticator app (such as Aegis, Google Authenticator or 1Password) when you log in on
        a new device, so a stolen password alone is not enough.
      </p>

      {view.step === 'loading' ? <p className="loading">Checking whether it is on…</p> : null}

      {view.step === 'unavailable' ? (
        <>
          <ErrorNotice message={view.message} />
          <div className="actions">
            <button className="button" type="button" onClick={() => setGeneration((value) => value + 1)}>
              Try again
            </button>
          </div>
        </>
      ) : null}

      {view.step === 'off' ? (
        <>
          <p className="status-line">
            <span className="badge">Off</span> Anyone with your password can log in on a new device.
          </p>
          <div className="actions">
            <button className="button button-primary" type="button" onClick={() => void startSetup()}>
              Set up two-factor authentication
            </button>
          </div>
        </>
      ) : null}

      {view.step === 'setting-up'
        ? form(
            confirm,
            <>
              <ol className="steps">
                <li>
                  <p>Scan this code with your authenticator app.</p>
                  <QrCode value={view.setup.uri} label="QR code to add Coffre to an authenticator app" />
                  <details className="manual-secret">
                    <summary>Can’t scan it? Enter the key by hand</summary>
                    <p>
                      Key: <code className="secret">{groupSecret(view.setup.secret)}</code>
                    </p>
                    <p className="field-hint">Time-based, 6 digits, every 30 seconds.</p>
                  </details>
                </li>
                <li>
                  <Field
                    label="Enter the 6-digit code the app shows"
                    name="totp"
                    value={code}
                    onValueChange={setCode}
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    placeholder="123456"
                    required
                  />
                </li>
              </ol>
              <div className="actions">
                <button className="button button-primary" type="submit" disabled={busy !== null}>
                  Turn on
                </button>
                <button className="button" type="button" onClick={() => setView({ step: 'off' })}>
                  Cancel
                </button>
              </div>
            </>,
          )
        : null}

      {view.step === 'recovery-codes' ? (
        <RecoveryCodes codes={view.codes} onDone={() => setView({ step: 'on' })} />
      ) : null}

      {view.step === 'on' ? (
        <>
          <p className="status-line">
            <span className="badge badge-ok">On</span> Two-factor authentication is on for your account.
          </p>
          <div className="actions">
            <button
              className="button"
              type="button"
              onClick={() => {
                setCode('');
                setView({ step: 'disabling' });
              }}
            >
              Turn off two-factor authentication
            </button>
          </div>
        </>
      ) : null}

      {view.step === 'disabling'
        ? form(
            disable,
            <>
              <Field
                label="Code from your app, or a recovery code"
                name="disable-code"
                value={code}
                onValueChange={setCode}
                autoComplete="one-time-code"
                autoCapitalize="none"
                spellCheck={false}
                required
                autoFocus
                hint="Proves it is you, so a stolen session alone cannot turn it off."
              />
              <div className="actions">
                <button className="button button-danger" type="submit" disabled={busy !== null}>
                  Turn off
                </button>
                <button className="button" type="button" onClick={() => setView({ step: 'on' })}>
                  Cancel
                </button>
              </div>
            </>,
          )
        : null}

      <ErrorNotice message={error} />
      <BusyNotice message={busy} />
    </section>
  );
}

function ThisDeviceSection() {
  const { remembered } = useSignedIn();
  const controller = useAccountController();
  // Shown at once; put back when storing the choice fails.
  const [checked, setChecked] = useState(remembered);
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="this-device-title">
      <h2 id="this-device-title">This device</h2>
      <RememberCheckbox
        checked={checked}
        onCheckedChange={(next) => {
          setError(null);
          setChecked(next);
          controller.setRemembered(next).catch((caught: unknown) => {
            setChecked(!next);
            setError(describeError(caught));
          });
        }}
      />
      <ErrorNotice message={error} />
      <TabTitlesCheckbox />
    </section>
  );
}

/** The opt-in to document titles in the browser tab, for this browser only. */
function TabTitlesCheckbox() {
  const shown = useShowTitlesInTab();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Checkbox
        label="Show document titles in the browser tab"
        checked={shown}
        onCheckedChange={(next) => {
          setError(null);
          try {
            setShowTitlesInTab(next);
          } catch (caught) {
            setError(describeError(caught));
          }
        }}
        hint={
          <>
            The browser then keeps the title of every document you open in its history and session files on this device,
            unencrypted. Off, the tab reads “Document · Coffre”. Exports you download are named after the document and
            listed among the browser’s downloads.
          </>
        }
      />
      <ErrorNotice message={error} />
    </>
  );
}

export function SecurityScreen() {
  return (
    <>
      <header className="page-header">
        <PageHeading focusOnMount>Security</PageHeading>
        <p className="page-lede">How you log in, and what this browser keeps.</p>
      </header>
      <TwoFactorSection />
      <ThisDeviceSection />
    </>
  );
}
