/**
 * The one list of error codes WestWallet answers with, and their HTTP status. SQL raises them as
 * the message of a `PTxxx` SQLSTATE whose digits are that status (`raise sqlstate 'PT404' using
 * message = 'ORGANIZATION_NOT_FOUND', detail = '...'`), so the Data API answers HTTP 404
 * `{ code: 'PT404', message: 'ORGANIZATION_NOT_FOUND', details: '...' }`; edge functions answer
 * `{ error: { code, message } }` with the status given here. Clients and tests match the code,
 * never the human text. A test checks every code the migrations raise against this list.
 * docs/errors.md is generated from it (`npm run gen:docs`): the doc comment above each code is its
 * description there, and the `//` comments are its sections.
 */
export const errorCodes = {
  // Requests: credentials, input, edge functions, the local stack's gateway
  /** The request's input failed validation; `details` lists the problems. */
  VALIDATION_FAILED: 400,
  /** No valid credentials (user JWT, service key or signature) came with the request. */
  UNAUTHORIZED: 401,
  /** The path names no edge function. */
  FUNCTION_NOT_FOUND: 404,
  /** The path names no endpoint of the local stack's Realtime API (`/realtime/v1/api/...`). */
  ROUTE_NOT_FOUND: 404,
  /** The function does not answer this HTTP method. */
  METHOD_NOT_ALLOWED: 405,
  /** Something failed on our side; the details are in the server log, not the response. */
  INTERNAL_ERROR: 500,
  /** An edge function threw instead of answering; the local runtime's last line of defence. */
  FUNCTION_FAILED: 500,
  /** The edge functions runtime is down and being restarted (local stack); retry after a second. */
  FUNCTIONS_UNAVAILABLE: 503,
  /** The database could not be reached or did not answer in time. */
  DATABASE_UNAVAILABLE: 503,
  /** The request body is larger than the API takes (local stack: a Data API body over 5 MiB, or over 65,534 values in one write). */
  PAYLOAD_TOO_LARGE: 413,
  /** The JSON body nests deeper than 1,000 levels (local stack). */
  JSON_TOO_DEEP: 413,
  /** The URL's path or query is not valid percent-encoding (local stack). */
  MALFORMED_URL: 400,

  // Values every table bounds, whichever way they are written
  /** A money amount beyond what money can be: at most 10^15 minor units either way, in any table (splits, transfers, budgets, ledger, ...). */
  AMOUNT_OUT_OF_RANGE: 400,
  /** A calendar date outside 1900-01-01 to 2200-12-31 (infinity, the epoch shorthand, BC, year 10000). */
  DATE_OUT_OF_RANGE: 400,
  /** A name or title that is empty, only blanks or invisible characters, or too long; details say the limit. */
  NAME_INVALID: 400,
  /** Views read; write to the table they read (details name it). Members get 42501 instead. */
  VIEW_READ_ONLY: 405,

  // Organizations, members and invitations
  /** No organization with that id exists. */
  ORGANIZATION_NOT_FOUND: 404,
  /** The caller is not a member of the organization. */
  NOT_A_MEMBER: 403,
  /** The caller's role in the organization does not allow this (details name the role needed). */
  ROLE_FORBIDDEN: 403,
  /** The organization requires two-factor sign-in and the caller's session has not verified a second factor (aal2). */
  MFA_REQUIRED: 403,
  /** The change would leave the organization without an owner; transfer ownership first. */
  LAST_OWNER: 409,
  /** The user named is not a member of the organization. */
  MEMBER_NOT_FOUND: 404,
  /** The user (or the invited email) already belongs to the organization. */
  ALREADY_MEMBER: 409,
  /** No invitation with that id that the caller may see. */
  INVITATION_NOT_FOUND: 404,
  /** The invitation's time ran out; ask for a new one. */
  INVITATION_EXPIRED: 410,
  /** The invitation was revoked by an admin (or replaced by a newer one). */
  INVITATION_REVOKED: 410,
  /** The invitation was already accepted. */
  INVITATION_ALREADY_USED: 409,
  /** The invitation was sent to another email than the signed-in user's. */
  INVITATION_EMAIL_MISMATCH: 403,
  /** The signed-in user's email is not confirmed yet, so it cannot prove an invitation is theirs. */
  EMAIL_NOT_CONFIRMED: 403,
  /** The secret given with the invitation is not the one its email carried (or none was given): open the link from the email. */
  INVITATION_SECRET_INVALID: 403,
  /** A profile's preferences do not match the shared preferences schema; details list the paths. */
  PREFERENCES_INVALID: 400,

  // Records: references, trash, undo, audit, sync
  /** Not a reference: one letter and six digits, like A000001. */
  ID_FORMAT_INVALID: 400,
  /** No reference could be allocated (the organization's sequence is missing or exhausted). */
  ID_SEQUENCE_FAILED: 500,
  /** No record with that id or reference that the caller may see. */
  RECORD_NOT_FOUND: 404,
  /** The column is set by the database (id, org_id, reference, created_*, deleted_*). */
  READ_ONLY_COLUMN: 400,
  /** The table has no trash, references or undo. */
  TABLE_NOT_SUPPORTED: 400,
  /** No audit entry with that id in the caller's organizations. */
  AUDIT_ENTRY_NOT_FOUND: 404,
  /** Audit rows are never changed or deleted. */
  AUDIT_LOG_APPEND_ONLY: 403,
  /** Only updates and deletes of records can be undone. */
  UNDO_NOT_SUPPORTED: 400,
  /** The record changed again after the change to undo (or it was already undone). */
  UNDO_CONFLICT: 409,
  /** The sync cursor is not one sync_changes() returned. */
  SYNC_CURSOR_INVALID: 400,

  // Finance: categories, vendors, accounts, transactions
  /** A category's parent must be a top-level category of the same kind. */
  CATEGORY_PARENT_INVALID: 400,
  /** The category's kind (expense, income) does not fit the transaction, or a transfer or split has one. */
  CATEGORY_KIND_MISMATCH: 400,
  /** The category still has transactions, splits or children: say where they go (delete_category); or its kind was changed while in use. */
  CATEGORY_IN_USE: 409,
  /** No exchange rate for the currency on the transaction's date (or the 7 days before). */
  FX_RATE_MISSING: 422,
  /** A transfer needs two different accounts (and what arrived, across currencies); only a transfer has a receiving account. */
  TRANSFER_ACCOUNTS_INVALID: 400,
  /** The transaction's currency is neither the account's nor, for a purchase, the base currency. */
  ACCOUNT_CURRENCY_MISMATCH: 400,
  /** The base currency or an account's currency cannot change once transactions use it. */
  CURRENCY_IN_USE: 409,
  /** A split's parts must sum to the transaction's amount. */
  SPLIT_SUM_MISMATCH: 409,
  /** No live transaction with that id in the caller's organizations. */
  TRANSACTION_NOT_FOUND: 404,
  /** Vendors to merge must be two different live vendors of one organization. */
  VENDOR_MERGE_INVALID: 400,

  // Attachments
  /** The object path is not a file in the organization's folder (`<org_id>/<name>`). */
  ATTACHMENT_PATH_INVALID: 400,
  /** No uploaded file at that path in the attachments bucket. */
  ATTACHMENT_FILE_NOT_FOUND: 404,
  /** The record to attach to is not a live record of the organization in a record table. */
  ATTACHMENT_RECORD_NOT_FOUND: 404,
  /** The file is larger than attachments may be. */
  ATTACHMENT_TOO_LARGE: 413,
  /** The file's content type is not one attachments may have. */
  ATTACHMENT_TYPE_NOT_ALLOWED: 415,
  // Contracts and subscriptions
  /** The payment schedule or term does not add up: interval_months missing for every_n_months (or given for another frequency), or a binding or end date before the start; details say which. */
  CONTRACT_SCHEDULE_INVALID: 400,
  /** The status and its dates disagree: an active contract has no notice date or end date. */
  CONTRACT_STATUS_INVALID: 400,
  /** No live contract with that id in the caller's organizations. */
  CONTRACT_NOT_FOUND: 404,
  /** Notice is given only on an active contract. */
  CONTRACT_NOT_ACTIVE: 409,
  // Billing: configuration, subscriptions, Stripe, credits
  /** Only WestWallet's operators (private.platform_admins) may do this. */
  PLATFORM_ADMIN_REQUIRED: 403,
  /** The trial has ended: the organization is read-only until an owner subscribes. */
  TRIAL_EXPIRED: 402,
  /** The subscription is unpaid past the grace period, cancelled or suspended: the organization is read-only. */
  SUBSCRIPTION_INACTIVE: 402,
  /** The plan's member limit is reached (pending invitations count). */
  PLAN_LIMIT_REACHED: 402,
  /** No active plan with that id. */
  PLAN_NOT_FOUND: 404,
  /** The organization pays already: plans and cards change in the billing portal. */
  ALREADY_SUBSCRIBED: 409,
  /** Stripe is not set up on this project (no STRIPE_SECRET_KEY or STRIPE_WEBHOOK_SECRET, or the plan has no Stripe price). */
  BILLING_NOT_CONFIGURED: 503,
  /** Stripe did not answer as expected; try again. */
  STRIPE_UNAVAILABLE: 502,
  /** A Stripe webhook's Stripe-Signature is missing, wrong, or older than five minutes. */
  STRIPE_SIGNATURE_INVALID: 400,
  /** The balance does not cover the credits asked for. */
  INSUFFICIENT_CREDITS: 402,
  /** The idempotency key was used before for a different amount or kind. */
  IDEMPOTENCY_CONFLICT: 409,
  /** Ledger rows are never changed or deleted. */
  LEDGER_APPEND_ONLY: 403,
  // Home: vehicles, warranties, insurances, maintenance
  /** An odometer reading is below an earlier day's or above a later day's reading of the vehicle; details name it. */
  ODOMETER_INVALID: 400,
  /** A warranty needs warranty_months (1 to 600) or an end date on or after the purchase, not both disagreeing. */
  WARRANTY_PERIOD_INVALID: 400,
  /** A maintenance task repeats every 1 to 120 months or 1 to 3660 days, or not at all; not both. */
  MAINTENANCE_INTERVAL_INVALID: 400,
  // Background jobs (docs/jobs.md); the codes a job ends with are its last_error_code
  /** No job kind has this name. */
  JOB_KIND_UNKNOWN: 400,
  /** The job's parameters do not fit its kind; details say how. The job fails without retrying. */
  JOB_PARAMS_INVALID: 400,
  /** No job with this id in an organization of the caller. */
  JOB_NOT_FOUND: 404,
  /** Only a dead, failed or canceled job can be retried. */
  JOB_NOT_RETRYABLE: 409,
  /** A step of the job failed; the job is retried after a backoff. */
  JOB_STEP_FAILED: 500,
  /** A step ran past its time limit and was abandoned; it runs again from the last checkpoint. */
  JOB_STEP_TIMEOUT: 504,
  /** The worker running the job stopped before saving its progress; the job resumes from its last checkpoint. */
  JOB_STALLED: 504,
  // Imports: statement files (CSV, OFX/QFX, QIF, CAMT.053/.054, MT940), previews, commits and undo
  // (docs/imports.md, docs/import-formats.md); the preview job ends with the code of a file it
  // refuses, and lists per-line problems in import_batches.problems
  /** No statement file at that path in the organization's folder of the imports bucket. */
  IMPORT_FILE_NOT_FOUND: 404,
  /** The statement file is over the 20 MiB import limit: split it into shorter periods. */
  IMPORT_FILE_TOO_LARGE: 413,
  /** The file holds no lines, or no entries. */
  IMPORT_FILE_EMPTY: 400,
  /** The file is not text (a spreadsheet, a PDF, an image): export the statement as CSV or a bank format. */
  IMPORT_FILE_UNREADABLE: 415,
  /** The file ends in the middle of a statement or record: a download cut short. Nothing of it is imported. */
  IMPORT_FILE_TRUNCATED: 400,
  /** The file cannot be read as its format: XML that is not well-formed, a misplaced CSV quote, an OFX tag closed that was never opened, a line that is no MT940 field. */
  IMPORT_FILE_MALFORMED: 400,
  /** The file is not of the format it was read as (a CAMT file given to the OFX reader, a camt.052 report, a ZIP). */
  IMPORT_FORMAT_MISMATCH: 415,
  /** No parser reads this file format. */
  IMPORT_FORMAT_UNSUPPORTED: 415,
  /** The file's declared character set (OFX CHARSET, XML encoding) is not one this reader can decode. */
  IMPORT_CHARSET_UNSUPPORTED: 415,
  /** The file is not valid in the encoding it was read as (UTF-8): choose Windows-1252 or ISO-8859-1. */
  IMPORT_ENCODING_INVALID: 400,
  /** No booking date and amount columns can be found in the CSV, or the mapping given reads no line: map the columns. */
  IMPORT_CSV_UNMAPPABLE: 400,
  /** An entry lacks what every transaction needs (a booking date, an amount); the line or entry is named. */
  IMPORT_ENTRY_INVALID: 400,
  /** An amount that is not a decimal number, has more decimals than its currency, or is beyond 10^15 minor units. */
  IMPORT_AMOUNT_INVALID: 400,
  /** A line that moves no money (an information line); left out. */
  IMPORT_AMOUNT_ZERO: 400,
  /** A date that is not a calendar day in the file's date format (2026-02-30, 13/13/2026), or is outside 1900-2200. */
  IMPORT_DATE_INVALID: 400,
  /** The file's dates read both as month/day and as day/month (QIF): choose the order and read it again. */
  IMPORT_DATE_AMBIGUOUS: 400,
  /** A currency code that is not three letters (ISO 4217). */
  IMPORT_CURRENCY_INVALID: 400,
  /** The statement, or one of its entries, is in another currency than the account. */
  IMPORT_CURRENCY_MISMATCH: 400,
  /** The file holds statements of more than one account; those of accounts after the first are left out and named. */
  IMPORT_OTHER_ACCOUNT: 400,
  /** A pending or informational entry (CAMT status PDNG/INFO): not booked, so not imported. */
  IMPORT_ENTRY_NOT_BOOKED: 400,
  /** The statement's opening balance plus its entries is not its closing balance: entries are missing or the file was altered. */
  IMPORT_STATEMENT_UNBALANCED: 400,
  /** The statement names an account whose number does not end in this account's number hint. */
  IMPORT_ACCOUNT_MISMATCH: 400,
  /** No live account with that id in the organization. */
  IMPORT_ACCOUNT_NOT_FOUND: 404,
  /** The account's saved CSV mapping (import_mappings) does not fit the mapping schema. */
  IMPORT_MAPPING_INVALID: 400,
  /** No import batch with that id in an organization of the caller. */
  IMPORT_BATCH_NOT_FOUND: 404,
  /** The batch is not in the state this needs: decisions change and commits start only while previewed; only a committed batch is undone. */
  IMPORT_BATCH_CLOSED: 409,

  // Categorization (docs/categorization.md)
  /** A categorization rule's conditions or actions are not valid; details say which and why. */
  RULE_INVALID: 400,
  // AI chat (docs/ai-chat.md)
  /** No AI provider is set up on this project: set OPENAI_API_KEY and OPENAI_MODEL (and OPENAI_BASE_URL for another provider). */
  AI_NOT_CONFIGURED: 503,
  /** The AI provider did not answer, or not as expected, after retries; nothing was stored or charged. Try again. */
  AI_UNAVAILABLE: 502,
  /** No conversation with that id of the caller's in that organization (another user's chats cannot be read, whatever the role). */
  CONVERSATION_NOT_FOUND: 404,
  // Mail: the outbox and its sender
  /** No unsent mail with that id in the outbox (operators' admin.retry_mail). */
  MAIL_NOT_FOUND: 404,
  /** mail-send has no way to send: set RESEND_API_KEY (hosted) or SMTP_HOST and SMTP_PORT. */
  MAIL_NOT_CONFIGURED: 503,
  // Restoring a backup (docs/restore.md); the codes an import.backup job ends with
  /** No backup at that path in your own folder of the `restores` bucket. */
  RESTORE_FILE_NOT_FOUND: 404,
  /** The file is not a readable ZIP (truncated, or not a ZIP), or an entry's size or SHA-256 differs from the manifest's. */
  RESTORE_ARCHIVE_DAMAGED: 400,
  /** The ZIP is not a WestWallet backup: no manifest.json, or one of another format. */
  RESTORE_NOT_A_BACKUP: 400,
  /** The backup was written by a newer WestWallet (format version or schema) than this one restores. */
  RESTORE_VERSION_TOO_NEW: 400,
  /** The backup's rows do not fit the database (a value out of range, a reference to a missing row); nothing was restored. */
  RESTORE_BACKUP_INVALID: 400,
  // Webhooks: outbound webhook endpoints and deliveries (docs/webhooks.md)
  /** A receiver URL is not http(s)://host[:port]/path of at most 2,000 characters without credentials, or its name does not resolve. */
  WEBHOOK_URL_INVALID: 400,
  /** A receiver URL points at a private, loopback, link-local or cloud metadata address (at registration, or resolved at delivery). */
  WEBHOOK_URL_FORBIDDEN: 400,
  /** An event type the endpoint subscribes to does not exist (see docs/webhooks.md for the catalog). */
  WEBHOOK_EVENT_TYPE_UNKNOWN: 400,
  /** The preset is not standard, slack, teams, discord or home_assistant. */
  WEBHOOK_PRESET_UNKNOWN: 400,
  /** A secret rotation's overlap is not 0 to 604,800 seconds. */
  WEBHOOK_OVERLAP_INVALID: 400,
  /** replay_failed_webhook_deliveries needs the time to replay from. */
  WEBHOOK_REPLAY_SINCE_REQUIRED: 400,
  /** No webhook endpoint with that id in an organization of the caller. */
  WEBHOOK_ENDPOINT_NOT_FOUND: 404,
  /** No webhook delivery with that id in an organization of the caller. */
  WEBHOOK_DELIVERY_NOT_FOUND: 404,
  /** The endpoint is disabled (by an admin, or after failing for days): enable it first. */
  WEBHOOK_ENDPOINT_DISABLED: 409,
  /** The endpoint's circuit breaker is open: the delivery waits for the next probe without using an attempt (delivery log). */
  WEBHOOK_BREAKER_OPEN: 503,
  // Notifications: reminders, preferences, unsubscribe, the provider's mail events
  /** No notification kind by that name (private.notification_kinds lists them). */
  NOTIFICATION_KIND_UNKNOWN: 400,
  /** A channel choice that is not one of: email off, now, daily or weekly; quiet hours need both ends. */
  NOTIFICATION_CHANNEL_INVALID: 400,
  /** The unsubscribe link was altered or made up; open the one from the mail. */
  UNSUBSCRIBE_TOKEN_INVALID: 400,
  /** The mail provider's webhook did not carry a valid Standard Webhooks signature (or is not configured: RESEND_WEBHOOK_SECRET). */
  MAIL_EVENT_SIGNATURE_INVALID: 401,
  /** A segment message's segment is not all, trialing or a language, or its subject or text is empty or too long. */
  ANNOUNCEMENT_INVALID: 400,
  /** No segment message with that id (or the job is not the one sending it). */
  ANNOUNCEMENT_NOT_FOUND: 404,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error that knows what to tell the caller; anything else becomes INTERNAL_ERROR. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCodes[this.code];
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}
