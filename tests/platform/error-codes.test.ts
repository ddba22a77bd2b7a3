import fs from 'node:fs';
import path from 'node:path';
import { schemaFiles } from '@westwallet/devstack/schemas';
import { errorCodes } from '@westwallet/shared';
import { describe, expect, it } from 'vitest';
import { errorsPage, renderErrorDocs } from '../../scripts/gen-error-docs.ts';

/**
 * SQL raises the codes defined once in packages/shared, with the HTTP status given there:
 * `raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND'` answers HTTP 404 with
 * `{ code: 'PT404', message: 'ORGANIZATION_NOT_FOUND' }` through the Data API.
 */
const schema = schemaFiles().map((file) => ({
  file: path.relative(path.resolve(import.meta.dirname, '../../supabase/schemas'), file),
  text: fs.readFileSync(file, 'utf8'),
}));

/** What the current definitions (supabase/schemas) raise; the migrations agree (schema-drift). */
function raisedInSql() {
  const raised: { file: string; status: number; code: string }[] = [];
  for (const { file, text } of schema) {
    for (const match of text.matchAll(/raise sqlstate 'PT(\d{3})'\s+using message = '([A-Z_]+)'/g)) {
      raised.push({ file, status: Number(match[1]), code: match[2] });
    }
  }
  return raised;
}

describe('error codes', () => {
  const raised = raisedInSql();

  it('are raised by the current schema', () => {
    expect(raised.length).toBeGreaterThan(30);
  });

  it.each(raised.map((r) => [`${r.code} (${r.file})`, r] as const))('%s is defined with its status', (_, r) => {
    expect(errorCodes).toHaveProperty(r.code);
    expect(errorCodes[r.code as keyof typeof errorCodes]).toBe(r.status);
  });

  it('are documented in docs/errors.md as `npm run gen:docs` writes it from errors.ts', () => {
    const page = fs.existsSync(errorsPage) ? fs.readFileSync(errorsPage, 'utf8') : '';
    expect(page, 'docs/errors.md is stale: run `npm run gen:docs`').toBe(renderErrorDocs());
    for (const code of new Set(raised.map((r) => r.code))) expect(page, code).toContain(`| \`${code}\` |`);
  });

  it('raise no code the shared list does not know, and no bare raise exception in a public function', () => {
    for (const { file, text } of schema) {
      // A plain `raise exception` answers 400 P0001 without a code; only migration-time
      // guards and schema-definition errors (never caused by a request's input) may use it.
      for (const match of text.matchAll(/raise exception '([^']*)'/g)) {
        expect(match[1], `${file}: ${match[0]}`).toMatch(/^(public_table_name|json_schema_errors):/);
      }
    }
  });
});
