import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

describe('packages/shared/src/database.types.ts', () => {
  it('matches what the migrations generate (run `npm run gen:types` after changing a migration)', () => {
    const committed = fs.readFileSync(
      path.resolve(import.meta.dirname, '../../packages/shared/src/database.types.ts'),
      'utf8',
    );
    expect(committed).toBe(inject('generatedTypes'));
  });
});
