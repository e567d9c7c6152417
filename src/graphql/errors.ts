/**
 * Errors as GraphQL clients see them: every dynagraph error becomes a GraphQL error with its
 * stable `code` in `extensions` and a message that says what the client can act on, without
 * table names, SDK messages or stack traces; anything else is INTERNAL_SERVER_ERROR with no
 * detail at all (the server gets the original through `onInternalError`).
 */
import { GraphQLError } from 'graphql';
import { DynagraphError, TransactionCanceledError, type CancellationReason } from '../errors.js';

// Errors about the request itself: their messages name the field, key or cursor at fault and nothing internal.
const CLIENT_CODES = new Set([
  'VALIDATION', 'INVALID_CURSOR', 'INVALID_EXPRESSION', 'ITEM_EXISTS', 'CONDITION_FAILED', 'VERSION_CONFLICT',
  'NOT_FOUND', 'KEY_CHANGED', 'REQUEST_BUDGET_EXCEEDED', 'TRANSACTION_TOO_LARGE', 'DUPLICATE_KEY',
  'TARGET_NOT_FOUND', 'DELETE_RESTRICTED',
]);

// What the rest mean to a client, in words that do not describe the server's insides.
const SERVER_MESSAGES: Record<string, string> = {
  THROTTLED: 'the database is busy; try again shortly',
  NETWORK: 'the database could not be reached; try again',
  OUTCOME_UNKNOWN: 'the write may or may not have been applied; read before retrying',
  MAX_RETRIES_EXCEEDED: 'the write kept conflicting with other writes; try again',
  LOCK_NOT_ACQUIRED: 'the item is busy; try again shortly',
  ENTITY_MISMATCH: 'the key holds an item of another kind; nothing was written',
  STALE_INSTANCE: 'the item changed meanwhile; reload it',
};

const REASONS: Record<string, string> = {
  ConditionalCheckFailed: 'its condition failed',
  TransactionConflict: 'it conflicted with another write; try again',
  ItemCollectionSizeLimitExceeded: 'its item collection is full',
  ValidationError: 'it was refused as invalid',
};

function reasonText(r: CancellationReason): string {
  const why = r.entityMismatch ? 'the key holds an item of another kind' : r.versionConflict ? 'it was changed meanwhile (version conflict)' : REASONS[r.code] ?? 'it failed';
  return `the ${r.action} of ${r.model}: ${why}`;
}

/** The GraphQL form of an error thrown while resolving: code in `extensions`, no internals. */
export function toGraphQLError(err: unknown, onInternalError?: (err: unknown) => void): GraphQLError {
  if (err instanceof TransactionCanceledError) {
    const reasons = err.reasons.map((r) => ({ action: r.action, model: r.model, reason: r.entityMismatch ? 'EntityMismatch' : r.versionConflict ? 'VersionConflict' : r.code }));
    return new GraphQLError(`the write was not made: ${err.reasons.map(reasonText).join('; ') || 'it was canceled'}`, { extensions: { code: err.code, reasons } });
  }
  if (err instanceof DynagraphError) {
    if (CLIENT_CODES.has(err.code)) return new GraphQLError(err.message, { extensions: { code: err.code } });
    if (!SERVER_MESSAGES[err.code]) onInternalError?.(err);
    return new GraphQLError(SERVER_MESSAGES[err.code] ?? 'the request failed on the server', { extensions: { code: err.code } });
  }
  if (err instanceof GraphQLError && typeof err.extensions?.code === 'string') return err;
  onInternalError?.(err);
  return new GraphQLError('internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** Maps one error of an execution result, keeping its location and path. */
export function mapResultError(error: GraphQLError, onInternalError?: (err: unknown) => void): GraphQLError {
  // Parse and validation errors, and errors graphql-js raised itself, are the client's to read as they are.
  if (error.originalError === undefined || error.originalError === null) return error;
  const original = error.originalError;
  // A GraphQL error raised on purpose (by a resolver of yours, or a scalar): its message is for the
  // client; without a code of its own it is the server's (as Apollo Server reports them).
  if (original instanceof GraphQLError && original.originalError == null) {
    return typeof original.extensions?.code === 'string' ? error : withCode(error, 'INTERNAL_SERVER_ERROR');
  }
  const mapped = toGraphQLError(original instanceof GraphQLError && original.originalError ? original.originalError : original, onInternalError);
  return new GraphQLError(mapped.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: mapped.extensions });
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: { ...error.extensions, code } });
}
