import { Link } from '../router/Link.tsx';
import { routes } from '../router/routes.ts';
import { PageHeading } from '../ui/PageHeading.tsx';

export function NotFoundScreen() {
  return (
    <>
      <header className="page-header">
        <PageHeading focusOnMount>Page not found</PageHeading>
      </header>
      <p>
        There is nothing at this address. <Link to={routes.documents}>Go to your documents</Link>.
      </p>
    </>
  );
}
