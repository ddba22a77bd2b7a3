import fs from 'node:fs';
import path from 'node:path';
import { checkedAgainst, mends } from '@westwallet/devstack/lite';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const devstack = path.join(repo, 'packages/devstack');

/** The list of lite's mends is what an upgrade of lite re-checks: it must stay true. */
describe("the list of @supabase/lite's mends", () => {
  it('was checked against the version of lite the devstack pins', () => {
    const { dependencies } = JSON.parse(fs.readFileSync(path.join(devstack, 'package.json'), 'utf8'));
    expect(
      dependencies['@supabase/lite'],
      'lite was upgraded: re-check every mend in packages/devstack/src/lite/index.ts, then update checkedAgainst',
    ).toBe(checkedAgainst);
  });

  it('names files that exist and tests that do', () => {
    for (const mend of mends) {
      for (const file of mend.where) expect(fs.existsSync(path.join(devstack, file)), file).toBe(true);
      const [file, name] = mend.test.split(' › ');
      const text = fs.readFileSync(path.join(repo, file), 'utf8');
      expect(text.includes(name), `${file} has no test named "${name}"`).toBe(true);
    }
  });

  it('lists a mend for every module of src/lite', () => {
    const listed = new Set(mends.flatMap((mend) => mend.where));
    const modules = fs.readdirSync(path.join(devstack, 'src/lite')).filter((file) => file !== 'index.ts');
    for (const module of modules) expect(listed.has(`src/lite/${module}`), module).toBe(true);
  });
});
