// Who is signed in, and the sync engine of that user. One engine per user:
// it opens that user's own IndexedDB database, so switching users never
// mixes their data.
import type { Session, SupabaseClient } from '@supabase/supabase-js';
import { getContext, setContext } from 'svelte';
import { createEngine } from '../engine/create.ts';
import type { SyncEngine } from '../engine/surface.ts';

export class AppSession {
  session = $state.raw<Session | null>(null);
  engine = $state.raw<SyncEngine | null>(null);
  /** False until the stored session (if any) has been read. */
  ready = $state(false);
  startError = $state<unknown>(undefined);
  private generation = 0;

  constructor(
    private readonly supabase: Pick<SupabaseClient, 'auth'>,
    private readonly url: string,
    private readonly anonKey: string,
  ) {}

  get userId(): string | null {
    return this.session?.user.id ?? null;
  }

  /** Follows the auth client; returns the unsubscribe function. */
  follow(): () => void {
    // supabase-js keeps the session in localStorage, so this works offline too.
    void this.supabase.auth.getSession().then(({ data }) => {
      this.adopt(data.session);
      this.ready = true;
    });
    const { data } = this.supabase.auth.onAuthStateChange((event, next) => {
      // Only a sign-out ends the session: offline with an expired token the
      // auth client also reports "no session", while the device keeps it.
      if (!next && event !== 'SIGNED_OUT') return;
      // The engine calls back into the auth client; doing that inside this
      // callback would wait on the lock the callback runs under.
      setTimeout(() => this.adopt(next), 0);
    });
    return () => data.subscription.unsubscribe();
  }

  private adopt(next: Session | null): void {
    const sameUser = next?.user.id === this.session?.user.id;
    this.session = next;
    if (sameUser && (this.engine || !next)) return;
    const generation = ++this.generation;
    const previous = this.engine;
    this.engine = null;
    this.startError = undefined;
    void (async () => {
      await previous?.stop();
      if (!next || generation !== this.generation) return;
      const engine = createEngine(this.supabase, this.url, this.anonKey);
      // Screens read the engine as soon as they see it, so it is handed out
      // only once its database is open. start() does not wait for the
      // network: offline it opens the local data and resolves.
      try {
        await engine.start();
      } catch (error) {
        if (generation === this.generation) this.startError = error;
        await engine.stop();
        return;
      }
      if (generation === this.generation) this.engine = engine;
      else await engine.stop();
    })();
  }
}

const KEY = Symbol('packsync-app');

export function provideApp(app: AppSession): void {
  setContext(KEY, app);
}

export function useApp(): AppSession {
  const app = getContext<AppSession | undefined>(KEY);
  if (!app) throw new Error('useApp() outside the app layout');
  return app;
}
