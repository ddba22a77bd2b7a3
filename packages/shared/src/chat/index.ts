export { compactAggregates } from './aggregates.ts';
export { boundedJson } from './bounded.ts';
export { type ChatEvent, parseSse, sseEvent } from './events.ts';
export * from './limits.ts';
export { type ChatContext, isLocale, LANGUAGES, type Locale, systemPrompt } from './prompt.ts';
