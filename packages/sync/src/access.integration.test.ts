// Invariant 5 on the device: a trip the user lost access to leaves the device
// with everything in it (what users of other engines hit: revoked data that
// stays on the device).
import { afterAll, describe, expect, it } from 'vitest';
import { ENTITY_NAMES } from '@packsync/model';
import { closeDb, device, share, signUp } from './testing/harness.ts';

afterAll(closeDb);

describe('access', () => {
  it('revoked data does not stay on the device: a removed member loses the trip and every row in it', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const owner = await device(alice.client);
    const member = await device(bob.client);
    const trip = await owner.engine.create('trips', { name: 'Shared' });
    const person = await owner.engine.create('people', { trip_id: trip, name: 'Ana', kind: 'adult' });
    await owner.engine.create('items', { trip_id: trip, person_id: person, name: 'Passport', category: 'documents' });
    await owner.engine.create('rule_overrides', { trip_id: trip, rule_id: 'clothing.socks', quantity: 3 });
    await owner.engine.syncNow();
    const membership = await share(owner.engine, trip, { id: bob.id, engine: member.engine });
    expect(await member.engine.list('items', { trip_id: trip })).toHaveLength(1);

    member.net.set(false);
    await member.engine.create('items', { trip_id: trip, name: 'queued while removed' });
    await owner.engine.syncNow(); // sees the acceptance (else the removal would conflict with it)
    await owner.engine.delete('trip_members', membership);
    await owner.engine.syncNow();
    member.net.set(true);
    expect((await member.engine.syncNow()).error).toBeNull();
    expect(await member.engine.get('trips', trip)).toBeUndefined();
    const db = member.engine.db!;
    for (const entity of ENTITY_NAMES) {
      const left = await db.entity(entity).filter((r) => r.id === trip || r.trip_id === trip).count();
      expect(left, entity).toBe(0);
    }
    expect(await db.shadows.where('trip_id').equals(trip).count()).toBe(0);
    expect(await member.engine.outbox.list()).toEqual([]);
    expect(member.engine.metrics().counters.trips_revoked).toBe(1);
    await owner.engine.stop();
    await member.engine.stop();
  });
});

describe('membership consent', () => {
  it('an invitee sees the invitation and the trip name, not its content, before accepting', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const owner = await device(alice.client);
    const invitee = await device(bob.client);
    const trip = await owner.engine.create('trips', { name: 'Invite', destination: 'Porto' });
    await owner.engine.create('items', { trip_id: trip, name: 'Sunscreen' });
    const membership = await owner.engine.create('trip_members', { trip_id: trip, user_id: bob.id, role: 'editor' });
    await owner.engine.syncNow();

    await invitee.engine.syncNow();
    expect(await invitee.engine.get('trip_members', membership)).toMatchObject({ status: 'invited', user_id: bob.id });
    expect(await invitee.engine.get('trips', trip)).toMatchObject({ name: 'Invite' });
    expect(await invitee.engine.list('items', { trip_id: trip })).toEqual([]);
    await owner.engine.stop();
    await invitee.engine.stop();
  });

  it('an invitee\'s device follows the preview: the owner\'s rename arrives, the trip\'s delete takes it away', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const owner = await device(alice.client);
    const invitee = await device(bob.client);
    try {
      const trip = await owner.engine.create('trips', { name: 'Before', destination: 'Porto' });
      await owner.engine.create('trip_members', { trip_id: trip, user_id: bob.id, role: 'viewer' });
      await owner.engine.syncNow();
      await invitee.engine.syncNow();
      expect(await invitee.engine.get('trips', trip)).toMatchObject({ name: 'Before' });

      await owner.engine.update('trips', trip, { name: 'After', destination: 'Faro' });
      await owner.engine.create('items', { trip_id: trip, name: 'Sunscreen' });
      await owner.engine.syncNow();
      expect((await invitee.engine.syncNow()).error).toBeNull();
      const preview = await invitee.engine.get('trips', trip);
      expect(preview).toMatchObject({ name: 'After' });
      expect(preview).not.toHaveProperty('destination');
      expect(await invitee.engine.list('items', { trip_id: trip })).toEqual([]);

      await owner.engine.delete('trips', trip);
      await owner.engine.syncNow();
      expect((await invitee.engine.syncNow()).error).toBeNull();
      expect(await invitee.engine.get('trips', trip)).toBeUndefined();
    } finally {
      await owner.engine.stop();
      await invitee.engine.stop();
    }
  });

  it('a declined invitation, and one the owner withdraws, take the preview trip off the device', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const carol = await signUp('carol');
    const owner = await device(alice.client);
    const decliner = await device(bob.client);
    const withdrawn = await device(carol.client);
    try {
      const trip = await owner.engine.create('trips', { name: 'Maybe' });
      const declined = await owner.engine.create('trip_members', { trip_id: trip, user_id: bob.id, role: 'viewer' });
      const removed = await owner.engine.create('trip_members', { trip_id: trip, user_id: carol.id, role: 'viewer' });
      await owner.engine.syncNow();
      for (const d of [decliner, withdrawn]) {
        await d.engine.syncNow();
        expect(await d.engine.get('trips', trip)).toMatchObject({ name: 'Maybe' });
      }

      await decliner.engine.delete('trip_members', declined);
      await owner.engine.delete('trip_members', removed);
      await owner.engine.syncNow();
      for (const [d, membership] of [[decliner, declined], [withdrawn, removed]] as const) {
        expect((await d.engine.syncNow()).error).toBeNull();
        expect(await d.engine.get('trips', trip)).toBeUndefined();
        expect(await d.engine.get('trip_members', membership)).toBeUndefined();
        expect(await d.engine.outbox.list()).toEqual([]);
      }
      // and later renames do not bring it back
      await owner.engine.update('trips', trip, { name: 'Gone' });
      await owner.engine.syncNow();
      expect((await decliner.engine.syncNow()).error).toBeNull();
      expect(await decliner.engine.get('trips', trip)).toBeUndefined();
    } finally {
      await owner.engine.stop();
      await decliner.engine.stop();
      await withdrawn.engine.stop();
    }
  });

  // DESIGN.md: `update('trip_members', id, { status: 'active' })` accepts
  // (push_changes lets a member write their own membership; the membership
  // triggers decide which columns).
  it('an invitee accepts through the engine (update status → active) and gets the trip content', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');
    const owner = await device(alice.client);
    const invitee = await device(bob.client);
    const trip = await owner.engine.create('trips', { name: 'Accept' });
    await owner.engine.create('items', { trip_id: trip, name: 'Hat' });
    const membership = await owner.engine.create('trip_members', { trip_id: trip, user_id: bob.id, role: 'editor' });
    await owner.engine.syncNow();
    await invitee.engine.syncNow();
    await invitee.engine.update('trip_members', membership, { status: 'active' });
    await invitee.engine.syncNow();
    try {
      expect(await invitee.engine.outbox.list()).toEqual([]);
      expect(await invitee.engine.list('items', { trip_id: trip })).toHaveLength(1);
    } finally {
      await owner.engine.stop();
      await invitee.engine.stop();
    }
  });
});
