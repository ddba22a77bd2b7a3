import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildMailTemplates, generatedFile, locales } from '../../scripts/build-mail-templates.ts';

describe('mail templates', () => {
  it('are compiled from their MJML in every language, and the committed output is current', async () => {
    const output = await buildMailTemplates();
    const current = fs.readFileSync(generatedFile, 'utf8');
    expect(current === output, 'templates.generated.ts is stale: run `npm run gen:mail`').toBe(true);
    for (const locale of locales) expect(output).toContain(`"${locale}": {`);
  });
});
