import { AuthLayout } from '../layout/AuthLayout.tsx';
import { BusyNotice } from '../ui/Notices.tsx';

export function StartingScreen({ failure }: { failure?: string }) {
  return (
    <AuthLayout>
      <h1 className="page-title">Coffre</h1>
      {failure ? (
        <p className="notice notice-error" role="alert">
          {failure}
        </p>
      ) : (
        <BusyNotice message="Opening…" />
      )}
    </AuthLayout>
  );
}
