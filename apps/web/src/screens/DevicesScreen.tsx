import { useState } from 'react';
import type { DeviceId } from '@coffre/protocol';
import { useSignedIn } from '../account/AccountContext.tsx';
import { describeError } from '../ui/describeError.ts';
import { formatDate, formatDateTime } from '../ui/formatDate.ts';
import { BusyNotice, ErrorNotice, InfoNotice } from '../ui/Notices.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { useLoad } from '../ui/useLoad.ts';

export function DevicesScreen() {
  const { account } = useSignedIn();
  const [devices, reload] = useLoad(() => account.listDevices());
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const revoke = async (id: DeviceId, name: string) => {
    setError(null);
    setBusy(`Revoking “${name}”…`);
    try {
      await account.revokeDevice(id);
      setConfirming(null);
      setDone(`“${name}” was revoked: it is signed out and cannot sign in again with its keys.`);
      reload();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <header className="page-header">
        <PageHeading focusOnMount>Devices</PageHeading>
        <p className="page-lede">
          Every browser and computer signed in to your account has its own keys. Revoke one you no longer use or have
          lost: it is signed out at once.
        </p>
      </header>
      {done ? <InfoNotice>{done}</InfoNotice> : null}
      <ErrorNotice message={error} />
      <BusyNotice message={busy} />
      {devices.status === 'loading' ? <p className="loading">Loading your devices…</p> : null}
      {devices.status === 'error' ? (
        <div className="card">
          <ErrorNotice message={devices.message} />
          <button className="button" type="button" onClick={reload}>
            Try again
          </button>
        </div>
      ) : null}
      {devices.status === 'ready' ? (
        <ul className="list" aria-label="Your devices">
          {devices.data.map((device) => {
            const revoked = device.revokedAt !== null;
            return (
              <li key={device.id} className={`list-row${revoked ? ' list-row-muted' : ''}`}>
                <div className="list-main">
                  <div className="list-title">
                    {device.name}
                    {device.current ? <span className="badge badge-brand">This device</span> : null}
                    {revoked ? <span className="badge">Revoked</span> : null}
                  </div>
                  <div className="list-meta">
                    Added {formatDate(device.createdAt)}
                    {device.lastSeenAt ? ` · last seen ${formatDateTime(device.lastSeenAt)}` : ''}
                    {device.revokedAt ? ` · revoked ${formatDateTime(device.revokedAt)}` : ''}
                  </div>
                </div>
                {!revoked && !device.current ? (
                  confirming === device.id ? (
                    <div className="confirm" role="group" aria-label={`Revoke ${device.name}?`}>
                      <span>Revoke this device?</span>
                      <button
                        className="button button-danger"
                        type="button"
                        disabled={busy !== null}
                        autoFocus
                        onClick={() => void revoke(device.id, device.name)}
                      >
                        Revoke
                      </button>
                      <button className="button" type="button" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </div>
                  ) : (
                    <button
                      className="button"
                      type="button"
                      aria-label={`Revoke ${device.name}`}
                      onClick={() => {
                        setDone(null);
                        setConfirming(device.id);
                      }}
                    >
                      Revoke
                    </button>
                  )
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      {devices.status === 'ready' && devices.data.length === 1 ? (
        <p className="hint-text">
          Only this device so far. Log in on another computer or phone with the same email and password to see it here.
        </p>
      ) : null}
    </>
  );
}
