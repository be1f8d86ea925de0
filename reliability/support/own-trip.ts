// The set-up of the pinned-loss tests: the running stack, an operator
// connection for checks, and one user with a trip of their own, made before
// the suite's tests and released after them.
import { afterAll, beforeAll } from 'vitest';
import { createTrip, operator, signUp, stack, type Sql, type Stack, type User } from './stack.ts';

export interface OwnTrip {
  s: Stack;
  sql: Sql;
  user: User;
  trip: string;
}

/** Registers the suite's beforeAll/afterAll; the fields are set once beforeAll has run. */
export function ownTrip(label: string): OwnTrip {
  const s = stack();
  const world = { s } as OwnTrip;
  beforeAll(async () => {
    world.sql = operator(s);
    world.user = await signUp(s, label);
    world.trip = await createTrip(s, world.user);
  });
  afterAll(() => world.sql?.end());
  return world;
}
