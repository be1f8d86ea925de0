import { z } from 'zod';
import { uuid } from './primitives.ts';
import { defineEntity } from './define-entity.ts';

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const tripMemberShape = {
  trip_id: uuid,
  user_id: uuid,
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
};

const entity = defineEntity(tripMemberShape);
export const tripMemberFields = entity.fields;
export const tripMemberPatch = entity.patch;
export const tripMemberRow = entity.row;
export const tripMemberColumns = entity.columns;

export type TripMemberFields = z.infer<typeof tripMemberFields>;
export type TripMemberPatch = z.infer<typeof tripMemberPatch>;
export type TripMember = z.infer<typeof tripMemberRow>;
