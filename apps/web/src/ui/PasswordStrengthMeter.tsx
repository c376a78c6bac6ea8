import type { PasswordStrength } from './passwordStrength.ts';

/** The strength of the password being chosen: four segments and a sentence. */
export function PasswordStrengthMeter({ strength }: { strength: PasswordStrength }) {
  return (
    <span className="strength" data-score={strength.score}>
      <span className="strength-bars" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
      </span>
      <span>
        {strength.label ? <strong>{strength.label}. </strong> : null}
        {strength.hint}
      </span>
    </span>
  );
}
