import { randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { AuthHttpError } from './errors.ts';

export interface UserRow {
  id: string;
  email: string;
  encrypted_password: string;
  email_confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown>;
  raw_user_meta_data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface SessionRef {
  sessionId: string;
  refreshToken: string;
}

const invalidRefresh = () => new AuthHttpError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
const spentRefresh = () => new AuthHttpError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');

/** Users, sessions and rotating refresh tokens in the `auth` schema, as GoTrue keeps them. */
export class AuthStore {
  constructor(private readonly sql: Sql) {}

  async createUser(email: string, passwordHash: string, metadata: Record<string, unknown>): Promise<UserRow> {
    try {
      const [user] = await this.sql<UserRow[]>`
        insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
                                raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
        values (${randomUUID()}, 'authenticated', 'authenticated', ${email}, ${passwordHash}, now(),
                ${this.sql.json({ provider: 'email', providers: ['email'] })}, ${this.sql.json(metadata as never)}, now(), now())
        returning *`;
      return user!;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new AuthHttpError(422, 'user_already_exists', 'User already registered');
      }
      throw error;
    }
  }

  async userByEmail(email: string): Promise<UserRow | undefined> {
    const [user] = await this.sql<UserRow[]>`
      select * from auth.users where email = ${email} and deleted_at is null and is_sso_user = false`;
    return user;
  }

  async userById(id: string): Promise<UserRow | undefined> {
    const [user] = await this.sql<UserRow[]>`select * from auth.users where id = ${id} and deleted_at is null`;
    return user;
  }

  async recordSignIn(userId: string): Promise<void> {
    await this.sql`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
  }

  async createSession(userId: string): Promise<SessionRef> {
    const sessionId = randomUUID();
    const refreshToken = newRefreshToken();
    await this.sql.begin(async (tx) => {
      await tx`insert into auth.sessions (id, user_id) values (${sessionId}, ${userId})`;
      await tx`insert into auth.refresh_tokens (token, user_id, session_id) values (${refreshToken}, ${userId}, ${sessionId})`;
    });
    return { sessionId, refreshToken };
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    const rows = await this.sql`select 1 from auth.sessions where id = ${sessionId}`;
    return rows.length > 0;
  }

  /**
   * Spends `token` and issues its successor, as GoTrue does with rotation on
   * (internal/tokens/service.go). A spent token is still honoured when it is
   * the parent of the session's live token (that live token is returned
   * again: the client lost the answer), or within `reuseIntervalSeconds` of
   * being spent (two tabs refreshing at once: it gets a successor of its
   * own). Presented later it means the token leaked or was replayed: the
   * whole session is revoked. `nowSeconds` is the caller's clock.
   */
  async rotateRefreshToken(token: string, reuseIntervalSeconds: number, nowSeconds: number): Promise<{ userId: string } & SessionRef> {
    const now = new Date(nowSeconds * 1000);
    const result = await this.sql.begin(async (tx) => {
      const [row] = await tx<{ id: string; user_id: string; session_id: string; revoked: boolean; spent_at: Date }[]>`
        select id, user_id, session_id, revoked, updated_at as spent_at
        from auth.refresh_tokens where token = ${token} for update`;
      if (!row || !row.session_id) return { error: invalidRefresh() };
      if (row.revoked) {
        const [live] = await tx<{ token: string; parent: string | null }[]>`
          select token, parent from auth.refresh_tokens
          where session_id = ${row.session_id} and not revoked order by id desc limit 1`;
        if (live && live.parent === token) return { userId: row.user_id, sessionId: row.session_id, refreshToken: live.token };
        if (now.getTime() > row.spent_at.getTime() + reuseIntervalSeconds * 1000) {
          await tx`delete from auth.sessions where id = ${row.session_id}`;
          return { error: spentRefresh() };
        }
      }
      const next = newRefreshToken();
      await tx`update auth.refresh_tokens set revoked = true, updated_at = ${now} where id = ${row.id} and not revoked`;
      await tx`insert into auth.refresh_tokens (token, user_id, session_id, parent, created_at, updated_at)
               values (${next}, ${row.user_id}, ${row.session_id}, ${token}, ${now}, ${now})`;
      await tx`update auth.sessions set updated_at = ${now} where id = ${row.session_id}`;
      return { userId: row.user_id, sessionId: row.session_id, refreshToken: next };
    });
    // Thrown outside the transaction so the revocation above commits.
    if ('error' in result) throw result.error;
    return result;
  }

  async endSessions(userId: string, sessionId: string, scope: 'global' | 'local' | 'others'): Promise<void> {
    if (scope === 'local') await this.sql`delete from auth.sessions where id = ${sessionId}`;
    else if (scope === 'others') await this.sql`delete from auth.sessions where user_id = ${userId} and id <> ${sessionId}`;
    else await this.sql`delete from auth.sessions where user_id = ${userId}`;
  }
}

function newRefreshToken(): string {
  return randomBytes(16).toString('base64url');
}
