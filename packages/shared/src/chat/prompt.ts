import { boundedJson } from './bounded.ts';
import { MAX_CONTEXT_CHARS } from './limits.ts';

/** The languages users choose (public.locale), as the model is told to answer in them. */
export const LANGUAGES = {
  sv: 'Swedish',
  nb: 'Norwegian Bokmål',
  da: 'Danish',
  fi: 'Finnish',
  de: 'German',
  en: 'English',
} as const;

export type Locale = keyof typeof LANGUAGES;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && value in LANGUAGES;
}

export interface ChatContext {
  organization: { name: string; kind: string; base_currency: string };
  today: string;
  /** Whatever the aggregates answered; each already compacted by `compactAggregates`. */
  aggregates: Record<string, unknown>;
}

/**
 * The system message: who the assistant is, the language to answer in, how money is written
 * (integer minor units, which the model must not present as such), that tools only read, and the
 * organization's aggregates as bounded JSON.
 */
export function systemPrompt(locale: Locale, context: ChatContext): string {
  return [
    `You are WestWallet's assistant for the finances and paperwork of "${context.organization.name}" ` +
      `(a ${context.organization.kind}). Today is ${context.today}.`,
    `Always answer in ${LANGUAGES[locale]}, whatever language the question is in, briefly and concretely.`,
    'Amounts in the data are integers in minor units (cents, öre) with a currency: 123456 SEK minor is 1 234,56 kr. ' +
      'Show amounts in major units, formatted for the language.',
    'Answer from the aggregates below and the tools. The tools only read; you cannot change anything. ' +
      'When the data does not say, say so instead of guessing.',
    `Aggregates (JSON; "truncated": true means lists were cut):\n${boundedJson(context.aggregates, MAX_CONTEXT_CHARS)}`,
  ].join('\n\n');
}
