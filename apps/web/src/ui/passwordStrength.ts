/** A rough, local password strength estimate for the sign-up hint; the password never leaves the browser. */
export interface PasswordStrength {
  /** 0 (empty) to 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  hint: string;
  /** Long enough to be accepted at sign-up. */
  acceptable: boolean;
}

export const MINIMUM_PASSWORD_LENGTH = 10;

const COMMON = /^(password|passwort|motdepasse|qwerty|azerty|letmein|welcome|admin|iloveyou|coffre|123456)/i;

export function passwordStrength(password: string): PasswordStrength {
  if (password.length === 0) {
    return { score: 0, label: '', hint: `At least ${MINIMUM_PASSWORD_LENGTH} characters.`, acceptable: false };
  }
  if (password.length < MINIMUM_PASSWORD_LENGTH) {
    const missing = MINIMUM_PASSWORD_LENGTH - password.length;
    return {
      score: 1,
      label: 'Too short',
      hint: `${missing} more character${missing === 1 ? '' : 's'} needed.`,
      acceptable: false,
    };
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
  const words = password.trim().split(/[\s\-_.]+/).length;
  const repetitive = /(.)\1{3,}/.test(password) || new Set(password).size < password.length / 3;
  let score = 1;
  if (password.length >= 12) score += 1;
  if (password.length >= 16 || words >= 4) score += 1;
  if (classes >= 3) score += 1;
  if (COMMON.test(password) || repetitive) score = Math.min(score, 2);
  const clamped = Math.min(4, Math.max(2, score)) as 2 | 3 | 4;
  const labels = { 2: 'Fair', 3: 'Good', 4: 'Strong' } as const;
  const hints = {
    2: 'Longer is stronger: four random words make a good password.',
    3: 'A few more words or characters make it strong.',
    4: 'Keep it somewhere safe: nobody can reset it for you.',
  } as const;
  return { score: clamped, label: labels[clamped], hint: hints[clamped], acceptable: true };
}
