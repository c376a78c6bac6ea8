/** What "keep me signed in" does, said honestly (see session/rememberVaultKey.ts). */
export function RememberHint() {
  return (
    <>
      Skips the password after a reload. Anyone who can use this browser profile can then open Coffre as you, so use it
      only on a device that is yours and locked. Without it, your session is sealed with a key only your password gives.
    </>
  );
}
