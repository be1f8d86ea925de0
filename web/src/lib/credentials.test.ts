import { describe, expect, it } from 'vitest';
import { credentialProblem } from './credentials.ts';

describe('credentialProblem', () => {
  it('accepts a plausible e-mail and a 6-character password', () => {
    expect(credentialProblem(' anna@example.com ', 'secret')).toBeUndefined();
  });
  it.each([
    ['', 'secret', /e-mail/],
    ['anna@', 'secret', /e-mail/],
    ['anna@example', 'secret', /e-mail/],
    ['anna@example.com', '12345', /6 characters/],
  ])('refuses %j / %j', (email, password, why) => {
    expect(credentialProblem(email, password)).toMatch(why);
  });
});
