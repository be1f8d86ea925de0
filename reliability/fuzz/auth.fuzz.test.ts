// #13.2 Fuzzing the local auth API (sign-up, token grants, user, logout) as
// supabase-js calls it: generated and mutated bodies, query strings and
// tokens. Never a 5xx; every refusal is JSON in GoTrue's error shape; a
// refused sign-up creates no user. PACKSYNC_FUZZ_RUNS / 5 cases (bcrypt makes
// each sign-up and password grant cost ~0.1 s), PACKSYNC_FUZZ_SEED replays.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPending } from '../attacks/pending-fixes.ts';
import { recordFigures } from '../support/figures.ts';
import { shortReporter } from '../support/report.ts';
import { operator, read, signUp, stack, type Answer, type Sql, type User } from '../support/stack.ts';
import { mutate, mutationArb, type Mutation } from './arbitraries.ts';

const s = stack();
const RUNS = Math.max(50, Math.round(Number(process.env.PACKSYNC_FUZZ_RUNS ?? 1000) / 5));
const SEED = Number(process.env.PACKSYNC_FUZZ_SEED ?? Date.now() % 2 ** 31);
let sql: Sql;
let user: User;

beforeAll(async () => {
  sql = operator(s);
  user = await signUp(s, 'auth-fuzz');
});
afterAll(() => sql.end());

interface AuthCase {
  method: string;
  path: string;
  query: string;
  token: 'valid' | 'none' | 'garbage' | 'anon-key';
  body: unknown;
  mutations: Mutation[];
}

function authCase(nul: boolean): fc.Arbitrary<AuthCase> {
  const text = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('a@b.co', 'x@reliability.test', '', ' ', 'é@é.é', 'a'.repeat(300), ...(nul ? ['a\u0000@b.co'] : [])),
    fc.emailAddress(),
  );
  const METHOD: Record<string, string> = { '/signup': 'POST', '/token': 'POST', '/user': 'GET', '/logout': 'POST', '/health': 'GET' };
  const route = fc.constantFrom('/signup', '/signup', '/token', '/token', '/token', '/user', '/logout', '/health', '/nowhere', '/token/../user')
    .chain((path) => fc.record({
      path: fc.constant(path),
      method: fc.oneof({ weight: 6, arbitrary: fc.constant(METHOD[path] ?? 'GET') }, fc.constantFrom('POST', 'GET', 'PUT', 'DELETE')),
    }));
  return fc.record({
    route,
    query: fc.constantFrom('', '?grant_type=password', '?grant_type=refresh_token', '?grant_type=pkce', '?scope=local', '?scope=everything',
      '?grant_type=password&grant_type=refresh_token'),
    token: fc.constantFrom('valid' as const, 'none' as const, 'garbage' as const, 'anon-key' as const),
    body: fc.oneof(
      fc.record({ email: text, password: fc.oneof(text, fc.string({ minLength: 6, maxLength: 100 })) }, { requiredKeys: [] }),
      fc.record({ email: fc.constant(user.email), password: fc.oneof(fc.constant(user.password), text) }),
      fc.record({ refresh_token: fc.oneof(text, fc.constant(null), fc.integer()) }),
      fc.record({ email: text, password: text, data: fc.jsonValue({ maxDepth: 2 }) }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    mutations: fc.oneof({ weight: 3, arbitrary: fc.constant<Mutation[]>([]) }, fc.array(mutationArb, { maxLength: 2 })),
  }).map(({ route: r, ...rest }) => ({ ...r, ...rest }));
}

async function send(c: AuthCase): Promise<Answer> {
  const body = c.mutations.reduce<unknown>(mutate, c.body);
  const headers: Record<string, string> = { apikey: s.anonKey, 'content-type': 'application/json' };
  if (c.token !== 'none') headers.authorization = `Bearer ${c.token === 'valid' ? user.accessToken : c.token === 'anon-key' ? s.anonKey : 'x.y.z'}`;
  const response = await fetch(`${s.apiUrl}/auth/v1${c.path}${c.query}`, {
    method: c.method,
    headers,
    ...(c.method === 'GET' || body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return read(response);
}

describe('fuzzing the local auth API', () => {
  it(`${RUNS} generated and mutated auth requests: no 5xx, GoTrue-shaped refusals, no user from a refused sign-up`, async () => {
    const nul = !isPending('auth-nul-bytes');
    console.log(`auth fuzz: ${RUNS} runs, seed ${SEED}` + (nul ? '' : '; NUL bytes left out while their fix is pending (#14.10)'));
    const tally = new Map<string, number>();
    await fc.assert(fc.asyncProperty(authCase(nul), async (c) => {
      const email = (c.body as { email?: unknown } | null)?.email;
      // Postgres text cannot hold NUL, so no stored e-mail contains one (and the query could not carry it).
      const users = async () => typeof email === 'string' && !email.includes('\u0000')
        ? ((await sql`select count(*)::int as n from auth.users where lower(email) = ${email.trim().toLowerCase()}`)[0]!.n as number)
        : 0;
      const before = c.path === '/signup' ? await users() : 0;
      const answer = await send(c);
      tally.set(`${c.path} ${answer.status}`, (tally.get(`${c.path} ${answer.status}`) ?? 0) + 1);
      expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
      if (answer.status >= 400 && c.method !== 'OPTIONS') {
        const error = answer.json as Record<string, unknown> | undefined;
        expect(typeof error?.msg === 'string' || typeof error?.message === 'string', `not an auth error: ${answer.text.slice(0, 300)}`).toBe(true);
        if (c.path === '/signup') expect(await users(), `a refused sign-up left a user ${String(email)}`).toBe(before);
      }
    }), { numRuns: RUNS, seed: SEED, reporter: shortReporter<[AuthCase]>('auth fuzz', (seed) => `PACKSYNC_FUZZ_SEED=${seed}`) });
    const outcomes = Object.fromEntries([...tally].sort((a, b) => b[1] - a[1]));
    console.log(`auth fuzz: outcomes ${JSON.stringify(outcomes)}`);
    recordFigures('fuzz-auth', { runs: RUNS, seed: SEED, nul, outcomes });
  }, 1_800_000);
});
