// Every schema that crosses the wire, by name: what `wire.test.ts` pins.
import { checksumRequest, checksumResponse } from './checksum.ts';
import { errorResponse } from './error.ts';
import { healthResponse, healthStatus } from './health.ts';
import { historyRequest, historyResponse } from './history.ts';
import { inviteRequest, inviteResponse } from './invite.ts';
import { pullRequest, pullResponse } from './pull.ts';
import { pushRequest, pushResponse } from './push.ts';
import { streamEvent, streamRequest } from './stream.ts';

export const wireSchemas = {
  pushRequest,
  pushResponse,
  pullRequest,
  pullResponse,
  streamRequest,
  streamEvent,
  healthResponse,
  healthStatus,
  inviteRequest,
  inviteResponse,
  historyRequest,
  historyResponse,
  checksumRequest,
  checksumResponse,
  errorResponse,
} as const;
