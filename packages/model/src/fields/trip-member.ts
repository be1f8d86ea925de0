import { z } from 'zod';
import { uuid } from './primitives.ts';
import { defineEntity } from './define-entity.ts';

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A membership someone else creates is `invited` (the server forces it) until
 * its user accepts it (sets `active`) or declines it (deletes it).
 */
export const MEMBERSHIP_STATUSES = ['invited', 'active'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

const tripMemberShape = {
  trip_id: uuid,
  user_id: uuid,
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
  // Optional: a create need not say it (the server decides), and the only
  // change a client makes is its own invited -> active.
  status: z.enum(MEMBERSHIP_STATUSES, { error: `must be one of ${MEMBERSHIP_STATUSES.join(', ')}` }).optional(),
};

// The member's e-mail address, copied from auth.users by the server.
const serverShape = { email: z.string().nullable() };

const entity = defineEntity(tripMemberShape, undefined, serverShape);
export const tripMemberFields = entity.fields;
export const tripMemberPatch = entity.patch;
export const tripMemberRow = entity.row;
export const tripMemberColumns = entity.columns;
export const tripMemberServerColumns = entity.serverColumns;

export type TripMemberFields = z.infer<typeof tripMemberFields>;
export type TripMemberPatch = z.infer<typeof tripMemberPatch>;
export type TripMember = z.infer<typeof tripMemberRow>;
