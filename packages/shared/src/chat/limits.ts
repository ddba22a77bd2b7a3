/** Credits one answered message costs the organization (tool rounds included). */
export const CREDITS_PER_MESSAGE = 2;

/** Rounds of tool calls the model may make for one message before it must answer in words. */
export const MAX_TOOL_ROUNDS = 5;

/** Tool calls the model may make in one round; more are answered with an error. */
export const MAX_TOOL_CALLS_PER_ROUND = 8;

/** Characters of one tool's answer the model sees; longer answers are cut and marked so. */
export const MAX_TOOL_ANSWER_CHARS = 8_000;

/** Characters of the organization's aggregates in the system prompt. */
export const MAX_CONTEXT_CHARS = 12_000;

/** Earlier messages of the conversation sent with a new one (the newest ones). */
export const MAX_HISTORY_MESSAGES = 20;

/** Characters of a user's message. */
export const MAX_MESSAGE_CHARS = 4_000;
