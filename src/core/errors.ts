/**
 * Thrown errors carry a category (how a caller should react), a specific code from a
 * closed set, and the ids involved. One exhaustive mapping turns categories into HTTP
 * statuses (api/problem.ts); expected outcomes such as a rejected record are values,
 * not errors.
 */
export type ErrorCategory =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'unauthenticated'
  | 'forbidden'
  | 'payload_too_large'
  | 'unavailable'
  | 'internal';

export type ErrorCode =
  // core / config
  | 'config_invalid'
  | 'request_invalid'
  | 'route_not_found'
  | 'payload_too_large'
  // db
  | 'data_dir_locked'
  | 'migration_failed'
  | 'database_unavailable'
  | 'listen_failed'
  // catalog
  | 'master_data_invalid'
  | 'master_file_unrecognised'
  | 'sku_not_found'
  | 'location_not_found'
  // ingest
  | 'input_unreadable'
  | 'dead_letter_not_found'
  // ledger
  | 'stock_not_found'
  | 'lineage_ref_invalid'
  // detect
  | 'exception_not_found'
  | 'database_not_empty'
  | 'detector_config_invalid'
  // forecast
  | 'invalid_date'
  | 'invalid_grain'
  | 'invalid_range'
  | 'range_too_long'
  | 'forecast_model_not_found'
  | 'forecast_version_not_found'
  | 'forecast_version_model_mismatch'
  | 'forecast_no_previous_version'
  | 'forecast_history_empty'
  | 'forecast_fit_too_large'
  | 'forecast_not_found'
  | 'annotation_not_found'
  // replenish (what-ifs)
  | 'scenario_not_found'
  | 'what_if_run_not_found'
  | 'what_if_queue_full'
  // plan
  | 'plan_scope_too_large'
  | 'plan_option_invalid'
  | 'intent_invalid'
  | 'intent_not_found'
  | 'intent_already_revoked'
  // govern
  | 'token_missing'
  | 'token_invalid'
  | 'token_not_found'
  | 'permission_denied'
  | 'internal_error';

export class InvexError extends Error {
  readonly category: ErrorCategory;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    category: ErrorCategory,
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'InvexError';
    this.category = category;
    this.code = code;
    this.details = details;
  }
}

export function isInvexError(error: unknown): error is InvexError {
  return error instanceof InvexError;
}

export function assertUnreachable(value: never, what: string): never {
  throw new InvexError('internal', 'internal_error', `unhandled ${what}: ${JSON.stringify(value)}`);
}
