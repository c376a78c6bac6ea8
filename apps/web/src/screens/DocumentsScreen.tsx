import { useSignedIn } from '../account/AccountContext.tsx';
import { PageHeading } from '../ui/PageHeading.tsx';
import { DocumentList } from '../workspace/DocumentList.tsx';

export function DocumentsScreen() {
  const signedIn = useSignedIn();
  return (
    <>
      <header className="page-header">
        <PageHeading>Documents</PageHeading>
        <p className="page-lede">End-to-end encrypted: only you and the people you share with can read them.</p>
      </header>
      <DocumentList signedIn={signedIn} />
    </>
  );
}
