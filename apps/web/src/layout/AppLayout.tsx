import { type ReactNode, useState } from 'react';
import { useAccountController, useSignedIn } from '../account/AccountContext.tsx';
import { Link } from '../router/Link.tsx';
import { routes } from '../router/routes.ts';
import { BrandMark } from '../ui/BrandMark.tsx';

interface NavItem {
  to: string;
  label: string;
}

function NavSection({ title, items, current }: { title: string; items: NavItem[]; current: string }) {
  return (
    <div className="nav-section">
      <h2 className="nav-title">{title}</h2>
      <ul>
        {items.map((item) => (
          <li key={item.to}>
            <Link to={item.to} className="nav-link" aria-current={item.to === current ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The signed-in frame: a sidebar (workspace, settings, administration, the account) and the page. */
export function AppLayout({ path, children }: { path: string; children: ReactNode }) {
  const { session } = useSignedIn();
  const controller = useAccountController();
  const [leaving, setLeaving] = useState(false);
  const isAdmin = session.role === 'tenant-admin';

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <aside className="sidebar" aria-label="Coffre">
        <div className="sidebar-brand">
          <BrandMark />
          <div>
            <span className="brand-name">Coffre</span>
            <span className="sidebar-tenant" title="Organisation">
              {session.tenant}
            </span>
          </div>
        </div>
        <nav aria-label="Main">
          <NavSection
            title="Workspace"
            // A document open in the editor belongs to Documents.
            current={
              path.startsWith(routes.documentPrefix)
                ? routes.documents
                : path.startsWith(routes.filePrefix)
                  ? routes.files
                  : path
            }
            items={[
              { to: routes.documents, label: 'Documents' },
              { to: routes.files, label: 'Files' },
            ]}
          />
          <NavSection
            title="Settings"
            current={path}
            items={[
              { to: routes.security, label: 'Security' },
              { to: routes.devices, label: 'Devices' },
            ]}
          />
          {isAdmin ? (
            <NavSection title="Administration" current={path} items={[{ to: routes.members, label: 'Members' }]} />
          ) : null}
        </nav>
        <div className="sidebar-account">
          <div className="account-email" title={session.email}>
            {session.email}
          </div>
          <div className="account-role">{isAdmin ? 'Administrator' : 'Member'}</div>
          <button
            className="button button-quiet"
            type="button"
            disabled={leaving}
            onClick={() => {
              setLeaving(true);
              controller.logOut().catch(() => undefined);
            }}
          >
            {leaving ? 'Logging out…' : 'Log out'}
          </button>
        </div>
      </aside>
      <main className="main" id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
