// @packsync/protocol: the wire between the sync engine and the `sync` edge
// function, written once. Node, Vite and Deno import these same files, so:
// bare `zod`, relative `.ts` imports, no platform APIs.
export { PROTOCOL_HEADER, PROTOCOL_VERSION } from './version.ts';
export {
  MAX_BODY_BYTES,
  MAX_CHANGES_PER_PUSH,
  MAX_CURSOR_LENGTH,
  MAX_CHECKSUM_TRIPS,
  MAX_HISTORY_LIMIT,
  MAX_PULL_LIMIT,
  MAX_PUSHES_IN_FLIGHT_PER_USER,
  MAX_REQUESTS_IN_FLIGHT_PER_USER,
  MAX_STREAMS_PER_USER,
} from './limits.ts';
export {
  ERROR_CODES,
  ERROR_TYPES,
  errorResponse,
  wireError,
  type ErrorCode,
  type ErrorResponse,
  type ErrorType,
  type WireError,
} from './error.ts';
export {
  change,
  deleteChange,
  PUSH_ERROR_CODES,
  PUSH_STATUSES,
  pushConflict,
  pushRequest,
  pushResponse,
  pushResult,
  upsertChange,
  type Change,
  type ChangeOp,
  type PushConflict,
  type PushErrorCode,
  type PushRequest,
  type PushResponse,
  type PushResult,
  type PushStatus,
} from './push.ts';
export {
  PULL_OPS,
  pulledChange,
  pullRequest,
  pullResponse,
  type PulledChange,
  type PullOp,
  type PullRequest,
  type PullResponse,
} from './pull.ts';
export {
  createStreamParser,
  encodeStreamEvent,
  STREAM_CLOSE_REASONS,
  streamEvent,
  streamRequest,
  type StreamCloseReason,
  type StreamEvent,
  type StreamRequest,
} from './stream.ts';
export {
  HEALTH_STATUSES,
  healthResponse,
  healthStatus,
  type HealthResponse,
  type HealthStatus,
  type HealthStatusResponse,
} from './health.ts';
export { INVITE_ROLES, inviteRequest, inviteResponse, type InviteRequest, type InviteResponse, type InviteRole } from './invite.ts';
export {
  historyEntry,
  historyRequest,
  historyResponse,
  type HistoryEntry,
  type HistoryRequest,
  type HistoryResponse,
} from './history.ts';
export { checksumRequest, checksumResponse, type ChecksumRequest, type ChecksumResponse } from './checksum.ts';
export { wireSchemas } from './wire.ts';
