import { describe, expect, it } from 'vitest';
import { MINIMUM_PASSWORD_LENGTH, passwordStrength } from '../src/ui/passwordStrength.ts';

describe('passwordStrength', () => {
  it(`refuses passwords shorter than ${MINIMUM_PASSWORD_LENGTH} characters and says how many are missing`, () => {
    expect(passwordStrength('').acceptable).toBe(false);
    const short = passwordStrength('abc12');
    expect([short.acceptable, short.label]).toEqual([false, 'Too short']);
    expect(short.hint).toBe('5 more characters needed.');
    expect(passwordStrength('abcdefgh1').hint).toBe('1 more character needed.');
  });

  it('rates four random words as good and a long mixed password as strong', () => {
    expect(passwordStrength('correct horse battery staple').label).toBe('Good');
    expect(passwordStrength('Correct-horse-battery-staple-9').label).toBe('Strong');
  });

  it('never rates a common or repetitive password above fair, however long', () => {
    expect(passwordStrength('Password1234567890!').label).toBe('Fair');
    expect(passwordStrength('aaaaaaaaaaaaaaaaaaaaaaA1!').label).toBe('Fair');
  });
});
