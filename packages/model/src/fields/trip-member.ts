import { z } from 'zod';
import { uuid } from './primitives.ts';
import { systemShape } from './system.ts';

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const tripMemberShape = {
  trip_id: uuid,
  user_id: uuid,
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
};

export const tripMemberFields = z.strictObject(tripMemberShape);
export const tripMemberPatch = tripMemberFields.partial();
export const tripMemberRow = z.strictObject({ ...systemShape, ...tripMemberShape });

export type TripMemberFields = z.infer<typeof tripMemberFields>;
export type TripMemberPatch = z.infer<typeof tripMemberPatch>;
export type TripMember = z.infer<typeof tripMemberRow>;

export const tripMemberColumns = Object.keys(tripMemberShape) as (keyof TripMemberFields)[];
