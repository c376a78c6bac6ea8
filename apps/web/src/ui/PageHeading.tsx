import { type ReactNode, useEffect, useRef } from 'react';

/**
 * The page's h1. When `focusOnMount` is set it takes focus after a route
 * change, so keyboard and screen-reader users start at the new page's title.
 */
export function PageHeading({ children, focusOnMount = false }: { children: ReactNode; focusOnMount?: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusOnMount) heading.current?.focus();
  }, [focusOnMount]);
  return (
    <h1 ref={heading} tabIndex={-1} className="page-title">
      {children}
    </h1>
  );
}
