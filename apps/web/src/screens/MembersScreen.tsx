import { useSignedIn } from '../account/AccountContext.tsx';
import { formatDate } from '../ui/formatDate.ts';
import { ErrorNotice } from '../ui/Notices.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { useLoad } from '../ui/useLoad.ts';

function MemberList() {
  const { account, session } = useSignedIn();
  const [members, reload] = useLoad(() => account.listMembers());
  if (members.status === 'loading') return <p className="loading">Loading the members…</p>;
  if (members.status === 'error') {
    return (
      <div className="card">
        <ErrorNotice message={members.message} />
        <button className="button" type="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <>
      <table className="table">
        <caption className="visually-hidden">Members of {session.tenant}</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Two-factor</th>
            <th scope="col">Joined</th>
          </tr>
        </thead>
        <tbody>
          {members.data.map((member) => (
            <tr key={member.id}>
              <td>
                {member.email}
                {member.id === session.userId ? <span className="badge badge-brand">You</span> : null}
              </td>
              <td>{member.role === 'tenant-admin' ? 'Administrator' : 'Member'}</td>
              <td>
                {member.twoFactor ? <span className="badge badge-ok">On</span> : <span className="badge">Off</span>}
              </td>
              <td>{formatDate(member.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {members.data.length === 1 ? (
        <p className="hint-text">
          You are the only member so far. Colleagues join by signing up on this relay with the organisation{' '}
          <strong>{session.tenant}</strong>.
        </p>
      ) : null}
    </>
  );
}

export function MembersScreen() {
  const { session } = useSignedIn();
  return (
    <>
      <header className="page-header">
        <PageHeading focusOnMount>Members</PageHeading>
        <p className="page-lede">Everyone with an account in {session.tenant}.</p>
      </header>
      {session.role === 'tenant-admin' ? (
        <MemberList />
      ) : (
        <p className="card">Only administrators of the organisation see its members.</p>
      )}
    </>
  );
}
