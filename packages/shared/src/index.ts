export type { Database, Json } from './database.types.ts';
export { AppError, type ErrorBody, type ErrorCode, errorCodes } from './errors.ts';
export { type Preferences, preferencesJsonSchema, preferencesSchema } from './profiles/preferences.ts';
