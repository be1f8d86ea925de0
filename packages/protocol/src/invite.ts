// POST /sync/invite: an owner invites someone by e-mail. The membership
// starts `invited`; the invitee accepts or declines through their own pull
// and push. Every refusal about the invitee (unknown e-mail, already a
// member, oneself) is the same `invite_failed`, so the route cannot be used
// to learn who has an account.
import { z } from 'zod';
import { uuid } from '../../model/src/index.ts';

export const INVITE_ROLES = ['editor', 'viewer'] as const;
export type InviteRole = (typeof INVITE_ROLES)[number];

export const inviteRequest = z.strictObject({
  trip_id: uuid,
  email: z.string().trim().min(3).max(320),
  role: z.enum(INVITE_ROLES),
});
export type InviteRequest = z.infer<typeof inviteRequest>;

export const inviteResponse = z.strictObject({
  /** The new `trip_members` row (status `invited`); validate it with the model's row schema. */
  membership: z.record(z.string(), z.unknown()),
});
export type InviteResponse = z.infer<typeof inviteResponse>;
