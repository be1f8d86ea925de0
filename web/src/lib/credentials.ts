/** What the sign-in form checks before it asks the server; the server checks again. */
export function credentialProblem(email: string, password: string): string | undefined {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return 'Enter an e-mail address like name@example.com.';
  if (password.length < 6) return 'The password needs at least 6 characters.';
  return undefined;
}
