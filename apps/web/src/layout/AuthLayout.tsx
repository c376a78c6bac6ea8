import type { ReactNode } from 'react';
import { BrandMark } from '../ui/BrandMark.tsx';

/** The frame of the signed-out screens: the brand, one card, and what Coffre promises. */
export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth">
      <header className="auth-brand">
        <BrandMark size={32} />
        <span className="brand-name">Coffre</span>
      </header>
      <main className="auth-card" id="main">
        {children}
      </main>
      <footer className="auth-footer">
        <p>
          Your documents are encrypted on this device before they leave it. The relay stores only ciphertext, and your
          password never leaves your browser.
        </p>
      </footer>
    </div>
  );
}
