// The open trip, its members and the caller's role, shared by the trip's
// pages. A viewer sees everything and can change nothing; the server refuses
// a viewer's writes anyway, the UI only says so early.
import type { Trip } from '@packsync/model';
import { getContext, setContext } from 'svelte';
import type { AppSession } from '../app/session.svelte.ts';
import { live } from '../engine/live.svelte.ts';
import type { Membership } from '../engine/surface.ts';

export interface TripView {
  readonly id: string;
  readonly trip: Trip | undefined;
  readonly loading: boolean;
  readonly members: Membership[];
  readonly me: Membership | undefined;
  readonly canEdit: boolean;
  readonly isOwner: boolean;
}

export function watchTrip(app: AppSession, id: () => string): TripView {
  const data = live(
    () => app.engine,
    () => {
      const tripId = id();
      return async () => {
        const engine = app.engine!;
        const [trip, members] = await Promise.all([engine.get('trips', tripId), engine.list('trip_members', { trip_id: tripId })]);
        return { trip, members };
      };
    },
    { trip: undefined as Trip | undefined, members: [] as Membership[] },
  );
  const me = $derived(data.value.members.find((m) => m.user_id === app.userId));
  return {
    get id() { return id(); },
    get trip() { return data.value.trip; },
    get loading() { return data.loading; },
    get members() { return data.value.members; },
    get me() { return me; },
    // A trip created on this device is editable before its membership row is back from the server.
    get canEdit() { return me ? me.role !== 'viewer' && me.status === 'active' : data.value.trip?.created_by === app.userId || data.value.trip?.created_by == null; },
    get isOwner() { return me ? me.role === 'owner' : data.value.trip?.created_by === app.userId || data.value.trip?.created_by == null; },
  };
}

const KEY = Symbol('packsync-trip');
export const provideTrip = (view: TripView) => setContext(KEY, view);
export function useTrip(): TripView {
  const view = getContext<TripView | undefined>(KEY);
  if (!view) throw new Error('useTrip() outside a trip page');
  return view;
}
