import {
  boundedJson,
  compactAggregates,
  LANGUAGES,
  MAX_CONTEXT_CHARS,
  parseSse,
  sseEvent,
  systemPrompt,
} from '@westwallet/shared/chat';
import { describe, expect, it } from 'vitest';

/** The chat's pure parts in packages/shared/src/chat: bounds, the prompt, the stream's events. */

describe('boundedJson', () => {
  it('leaves what fits as it is', () => {
    const value = { rows: [{ id: 1 }, { id: 2 }] };
    expect(boundedJson(value, 100)).toBe(JSON.stringify(value));
  });

  it('cuts the longest lists first and says so, within the bound', () => {
    const value = {
      totals: [1, 2, 3],
      rows: Array.from({ length: 500 }, (_, i) => ({ id: i, payee: `Payee number ${i}` })),
    };
    const text = boundedJson(value, 2_000);
    expect(text.length).toBeLessThanOrEqual(2_000);
    const parsed = JSON.parse(text);
    expect(parsed.truncated).toBe(true);
    expect(parsed.data.totals).toEqual([1, 2, 3]);
    expect(parsed.data.rows.length).toBeGreaterThan(10);
    expect(parsed.data.rows.length).toBeLessThan(500);
    expect(parsed.data.rows[0]).toEqual({ id: 0, payee: 'Payee number 0' });
    // The original is not changed.
    expect(value.rows).toHaveLength(500);
  });

  it('ends even for a single element or a single long text', () => {
    for (const value of [[{ text: 'x'.repeat(5_000) }], 'y'.repeat(5_000)]) {
      const text = boundedJson(value, 300);
      expect(text.length).toBeLessThanOrEqual(300);
      expect(JSON.parse(text).truncated).toBe(true);
    }
  });
});

describe('systemPrompt', () => {
  const context = {
    organization: { name: 'Familjen Berg', kind: 'household', base_currency: 'SEK' },
    today: '2026-12-07',
    aggregates: compactAggregates({
      dashboard: { income_minor: 5_000_000, by_vendor: [{ name: 'Secret vendor list' }] },
      contracts: { monthly_minor: 120_000 },
    }),
  };

  it('names the language of each locale users choose', () => {
    for (const [locale, language] of Object.entries(LANGUAGES)) {
      expect(systemPrompt(locale as keyof typeof LANGUAGES, context)).toContain(`Always answer in ${language}`);
    }
  });

  it('carries the aggregates without the per-vendor list, bounded', () => {
    const prompt = systemPrompt('sv', context);
    expect(prompt).toContain('Familjen Berg');
    expect(prompt).toContain('"income_minor":5000000');
    expect(prompt).toContain('"monthly_minor":120000');
    expect(prompt).not.toContain('Secret vendor list');
    const huge = { ...context, aggregates: { rows: Array.from({ length: 5_000 }, (_, i) => ({ i })) } };
    expect(systemPrompt('en', huge).length).toBeLessThan(MAX_CONTEXT_CHARS + 1_000);
  });
});

describe('stream events', () => {
  it('read back as written, whatever the text holds', () => {
    const events = [
      { event: 'conversation', data: { conversation_id: 'c', message_key: 'k', replayed: false } },
      { event: 'delta', data: { text: 'Rad ett\n\nrad två: "citat"' } },
      { event: 'done', data: { message_id: 'm', credits_charged: 2, tool_rounds: 0 } },
    ] as const;
    const text = events.map((e) => sseEvent(e)).join('');
    expect(text.startsWith('event: conversation\ndata: {')).toBe(true);
    expect(parseSse(text)).toEqual(events);
  });
});
