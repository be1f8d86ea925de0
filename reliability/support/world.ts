// A small world for the attack tests: a victim with a private trip, an
// attacker with their own trip, and two of the victim's trips shared with the
// attacker (as editor and as viewer). Everything is created through the API.
import { randomUUID } from 'node:crypto';
import { asUser, createTrip, push, signUp, upsert, type Sql, type Stack, type User } from './stack.ts';

export interface World {
  victim: User;
  attacker: User;
  /** The victim's trip the attacker is not a member of, with one item and one person. */
  privateTrip: string;
  privateItem: string;
  privatePerson: string;
  /** The attacker's own trip and item. */
  ownTrip: string;
  ownItem: string;
  /** The victim's trip where the attacker is an editor; the attacker's membership and an item there. */
  editorTrip: string;
  editorMembership: string;
  editorItem: string;
  /** The victim's trip where the attacker is a viewer. */
  viewerTrip: string;
  viewerItem: string;
}

async function hasColumn(sql: Sql, table: string, column: string): Promise<boolean> {
  const rows = await sql`select 1 from information_schema.columns
    where table_schema = 'public' and table_name = ${table} and column_name = ${column}`;
  return rows.length > 0;
}

/** Adds `member` to a trip of `owner`; where memberships need consent (#14.4), the member accepts. */
export async function share(s: Stack, sql: Sql, owner: User, member: User, tripId: string, role: 'editor' | 'viewer'): Promise<string> {
  const id = randomUUID();
  const [result] = await push(s, owner, [upsert('trip_members', id, { trip_id: tripId, user_id: member.id, role })]);
  if (result?.status !== 'applied') throw new Error(`sharing trip ${tripId}: ${JSON.stringify(result)}`);
  if (await hasColumn(sql, 'trip_members', 'status')) {
    await asUser(sql, member, (tx) => tx`update public.trip_members set status = 'active' where id = ${id}`);
  }
  return id;
}

export async function addItem(s: Stack, user: User, tripId: string, name = 'Socks'): Promise<string> {
  const id = randomUUID();
  const [result] = await push(s, user, [upsert('items', id, { trip_id: tripId, name })]);
  if (result?.status !== 'applied') throw new Error(`adding an item: ${JSON.stringify(result)}`);
  return id;
}

export async function buildWorld(s: Stack, sql: Sql, label: string): Promise<World> {
  const [victim, attacker] = await Promise.all([signUp(s, `${label}-victim`), signUp(s, `${label}-attacker`)]);
  const privateTrip = await createTrip(s, victim, 'Private');
  const privatePerson = randomUUID();
  const [person] = await push(s, victim, [upsert('people', privatePerson, { trip_id: privateTrip, name: 'Vic', kind: 'adult' })]);
  if (person?.status !== 'applied') throw new Error(`adding a person: ${JSON.stringify(person)}`);
  const ownTrip = await createTrip(s, attacker, 'Mine');
  const editorTrip = await createTrip(s, victim, 'Shared to edit');
  const viewerTrip = await createTrip(s, victim, 'Shared to view');
  const editorMembership = await share(s, sql, victim, attacker, editorTrip, 'editor');
  await share(s, sql, victim, attacker, viewerTrip, 'viewer');
  return {
    victim,
    attacker,
    privateTrip,
    privateItem: await addItem(s, victim, privateTrip, 'Passport'),
    privatePerson,
    ownTrip,
    ownItem: await addItem(s, attacker, ownTrip),
    editorTrip,
    editorMembership,
    editorItem: await addItem(s, victim, editorTrip, 'Tent'),
    viewerTrip,
    viewerItem: await addItem(s, victim, viewerTrip, 'Map'),
  };
}
