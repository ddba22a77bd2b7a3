import { preferencesJsonSchema, preferencesSchema } from '@westwallet/shared';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adminSql, asRole } from '../helpers/db.ts';

/**
 * Profile preferences have one definition, zod's `preferencesSchema`; the database validates
 * them against its JSON Schema export with `private.preferences_errors`. These tests keep the two
 * in step: the schema embedded in SQL is the one zod exports, and both give the same verdict on
 * a corpus of values, naming the same offending paths.
 */

const OK = 'a7f3c1d2-5b6e-4f80-9a1b-2c3d4e5f6a7b';

/** The database's problems with a JSON text (sent as text, so 30.0 stays 30.0 on its way in). */
const dbErrors = async (json: string, schema?: object): Promise<string[]> => {
  const [{ errors }] = schema
    ? await adminSql`select private.json_schema_errors(${JSON.stringify(schema)}::text::jsonb, ${json}::text::jsonb) as errors`
    : await adminSql`select private.preferences_errors(${json}::text::jsonb) as errors`;
  return errors;
};

/** `$.a.b` / `$.a[0]`, the paths the SQL validator writes before `: `. */
const jsonPath = (segments: PropertyKey[]) =>
  segments.reduce<string>(
    (path, key) =>
      typeof key === 'number'
        ? `${path}[${key}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(key))
          ? `${path}.${String(key)}`
          : `${path}[${JSON.stringify(String(key))}]`,
    '$',
  );

const pathsOfDb = (errors: string[]) => [...new Set(errors.map((error) => error.slice(0, error.indexOf(': '))))].sort();

const pathsOfZod = (error: z.ZodError) =>
  [
    ...new Set(
      error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => jsonPath([...issue.path, key]))
          : [jsonPath(issue.path)],
      ),
    ),
  ].sort();

describe('private.profile_preferences_schema', () => {
  it('is exactly the JSON Schema zod exports for preferencesSchema', async () => {
    const [{ schema }] = await adminSql`select private.profile_preferences_schema() as schema`;
    expect(
      schema,
      'preferencesSchema (packages/shared/src/profiles/preferences.ts) no longer matches the database: add a migration ' +
        'that redefines private.profile_preferences_schema() to return the new preferencesJsonSchema',
    ).toStrictEqual(preferencesJsonSchema);
  });
});

describe('private.preferences_errors agrees with preferencesSchema', () => {
  /** [behaviour, value, offending paths (none when valid)] */
  const corpus: [string, unknown, string[]][] = [
    ['accepts an empty object', {}, []],
    [
      'accepts every preference set',
      {
        notifications: { email: true, push: false, reminderDaysBefore: 7, digest: 'weekly' },
        ui: { theme: 'dark', dateFormat: 'iso', compactLists: true, defaultOrganizationId: OK },
        trash: { retentionDays: 30, confirmBeforeDelete: false },
      },
      [],
    ],
    ['accepts one section with one preference', { notifications: { email: false } }, []],
    ['accepts empty sections', { notifications: {}, ui: {}, trash: {} }, []],
    ['accepts the bounds of reminderDaysBefore', { notifications: { reminderDaysBefore: 0 } }, []],
    ['accepts the upper bound of reminderDaysBefore', { notifications: { reminderDaysBefore: 90 } }, []],
    ['accepts the bounds of retentionDays', { trash: { retentionDays: 1 } }, []],
    ['accepts the upper bound of retentionDays', { trash: { retentionDays: 365 } }, []],
    ['accepts an upper-case uuid', { ui: { defaultOrganizationId: OK.toUpperCase() } }, []],
    ['accepts the nil uuid', { ui: { defaultOrganizationId: '00000000-0000-0000-0000-000000000000' } }, []],
    ['accepts each theme', { ui: { theme: 'system', dateFormat: 'locale', compactLists: false } }, []],

    ['refuses an array', [], ['$']],
    ['refuses a string', 'dark', ['$']],
    ['refuses null', null, ['$']],
    ['refuses a number', 1, ['$']],
    ['refuses an unknown top-level key', { theme: 'dark' }, ['$.theme']],
    ['refuses an unknown notification', { notifications: { sms: true } }, ['$.notifications.sms']],
    ['refuses an unknown ui preference', { ui: { language: 'fr' } }, ['$.ui.language']],
    ['refuses an unknown trash preference', { trash: { days: 30 } }, ['$.trash.days']],
    ['refuses an unknown key that is not an identifier', { 'ui.theme': 'dark' }, ['$["ui.theme"]']],
    ['refuses a null section', { notifications: null }, ['$.notifications']],
    ['refuses an array as a section', { ui: [] }, ['$.ui']],
    ['refuses an array of sections', { trash: [{ retentionDays: 30 }] }, ['$.trash']],
    ['refuses a string as a boolean', { notifications: { email: 'yes' } }, ['$.notifications.email']],
    ['refuses 1 as a boolean', { notifications: { push: 1 } }, ['$.notifications.push']],
    ['refuses a null preference', { ui: { dateFormat: null } }, ['$.ui.dateFormat']],
    ['refuses a digest outside its enum', { notifications: { digest: 'monthly' } }, ['$.notifications.digest']],
    ['refuses a digest in another case', { notifications: { digest: 'Daily' } }, ['$.notifications.digest']],
    ['refuses an unknown theme', { ui: { theme: 'blue' } }, ['$.ui.theme']],
    [
      'refuses a fractional reminder',
      { notifications: { reminderDaysBefore: 2.5 } },
      ['$.notifications.reminderDaysBefore'],
    ],
    [
      'refuses a negative reminder',
      { notifications: { reminderDaysBefore: -1 } },
      ['$.notifications.reminderDaysBefore'],
    ],
    [
      'refuses a reminder over 90 days',
      { notifications: { reminderDaysBefore: 91 } },
      ['$.notifications.reminderDaysBefore'],
    ],
    [
      'refuses a reminder as a string',
      { notifications: { reminderDaysBefore: '7' } },
      ['$.notifications.reminderDaysBefore'],
    ],
    ['refuses a retention of 0 days', { trash: { retentionDays: 0 } }, ['$.trash.retentionDays']],
    ['refuses a retention over a year', { trash: { retentionDays: 366 } }, ['$.trash.retentionDays']],
    ['refuses a fractional retention', { trash: { retentionDays: 30.5 } }, ['$.trash.retentionDays']],
    ['refuses a string that is not a uuid', { ui: { defaultOrganizationId: 'acme' } }, ['$.ui.defaultOrganizationId']],
    [
      'refuses a uuid without dashes',
      { ui: { defaultOrganizationId: OK.replaceAll('-', '') } },
      ['$.ui.defaultOrganizationId'],
    ],
    [
      'refuses a uuid with version digit 0',
      { ui: { defaultOrganizationId: 'a7f3c1d2-5b6e-0f80-9a1b-2c3d4e5f6a7b' } },
      ['$.ui.defaultOrganizationId'],
    ],
    [
      'refuses a uuid with a trailing newline',
      { ui: { defaultOrganizationId: `${OK}\n` } },
      ['$.ui.defaultOrganizationId'],
    ],
    ['refuses a uuid in braces', { ui: { defaultOrganizationId: `{${OK}}` } }, ['$.ui.defaultOrganizationId']],
    ['refuses a number as a uuid', { ui: { defaultOrganizationId: 42 } }, ['$.ui.defaultOrganizationId']],
    [
      'names every problem of a value with several',
      { notifications: { digest: 'monthly', email: 1 }, ui: { theme: 'blue' }, extra: true },
      ['$.extra', '$.notifications.digest', '$.notifications.email', '$.ui.theme'],
    ],
  ];

  it.each(corpus)('%s', async (_behaviour, value, paths) => {
    const zod = preferencesSchema.safeParse(value);
    const errors = await dbErrors(JSON.stringify(value));
    expect(errors.length === 0, `database said ${JSON.stringify(errors)}`).toBe(zod.success);
    expect(pathsOfDb(errors)).toEqual(paths);
    if (!zod.success) expect(pathsOfZod(zod.error)).toEqual(paths);
  });

  it('reads 30.0 as the integer 30, as JSON.parse does', async () => {
    const json = '{"trash": {"retentionDays": 30.0}, "notifications": {"reminderDaysBefore": 7.00}}';
    expect(preferencesSchema.safeParse(JSON.parse(json)).success).toBe(true);
    expect(await dbErrors(json)).toEqual([]);
  });

  it('says what is wrong next to the path', async () => {
    expect(await dbErrors('{"notifications": {"digest": "monthly"}, "ui": {"x": 1}}')).toEqual([
      '$.notifications.digest: must be one of off, daily, weekly',
      '$.ui.x: is not allowed',
    ]);
  });

  it('gives null for a SQL null, so a check constraint leaves it to not null', async () => {
    const [{ errors }] = await adminSql`select private.preferences_errors(null) as errors`;
    expect(errors).toBeNull();
  });

  it('lets the API roles call it, as a check constraint would', async () => {
    for (const role of ['authenticated', 'service_role'] as const) {
      const [{ valid }] = await asRole(
        { role },
        (sql) => sql`select cardinality(private.preferences_errors('{"ui": {"theme": "light"}}')) = 0 as valid`,
      );
      expect(valid).toBe(true);
    }
    await expect(asRole({ role: 'anon' }, (sql) => sql`select private.preferences_errors('{}')`)).rejects.toMatchObject(
      {
        code: '42501',
      },
    );
  });
});

describe('private.json_schema_errors beyond what preferences use', () => {
  it('accepts a value matching any branch of anyOf, as zod nullable emits it', async () => {
    const schema = z.toJSONSchema(z.string().min(2).nullable(), { target: 'draft-2020-12' });
    expect(await dbErrors('"ab"', schema)).toEqual([]);
    expect(await dbErrors('null', schema)).toEqual([]);
    expect(pathsOfDb(await dbErrors('"a"', schema))).toEqual(['$']);
    expect(pathsOfDb(await dbErrors('1', schema))).toEqual(['$']);
  });

  it('refuses a value matching several branches of oneOf', async () => {
    const schema = { oneOf: [{ type: 'number' }, { type: 'integer' }] };
    expect(await dbErrors('1.5', schema)).toEqual([]);
    expect(pathsOfDb(await dbErrors('1', schema))).toEqual(['$']);
  });

  it('validates each item and the number of items, naming the item', async () => {
    const schema = { type: 'array', items: { type: 'integer', exclusiveMinimum: 0 }, minItems: 1, maxItems: 3 };
    expect(await dbErrors('[1, 2, 3]', schema)).toEqual([]);
    expect(await dbErrors('[]', schema)).toEqual(['$: must have at least 1 items']);
    expect(await dbErrors('[1, 0, "2"]', schema)).toEqual(['$[1]: must be > 0', '$[2]: must be of type integer']);
    expect(pathsOfDb(await dbErrors('[1, 2, 3, 4]', schema))).toEqual(['$']);
  });

  it('checks const, exclusiveMaximum, string lengths and allOf', async () => {
    const schema = {
      type: 'object',
      required: ['kind', 'share'],
      properties: {
        kind: { const: 'split' },
        share: { type: 'number', exclusiveMaximum: 1, minimum: 0 },
        label: { allOf: [{ type: 'string', minLength: 1 }, { maxLength: 3 }] },
      },
    };
    expect(await dbErrors('{"kind": "split", "share": 0.5, "label": "abc"}', schema)).toEqual([]);
    expect(await dbErrors('{"kind": "split", "share": 1, "label": ""}', schema)).toEqual([
      '$.label: must be at least 1 characters long',
      '$.share: must be < 1',
    ]);
    expect(await dbErrors('{"kind": "even", "label": "abcd"}', schema)).toEqual([
      '$.kind: must be "split"',
      '$.label: must be at most 3 characters long',
      '$.share: is required',
    ]);
  });

  it('reads patterns as ECMAScript regular expressions, as JSON Schema specifies', async () => {
    const email = z.toJSONSchema(z.email()).pattern as string;
    const cases: [string, string][] = [
      ['\\bab\\b', 'x ab y'],
      ['\\bab\\b', 'xaby'],
      ['^a.b$', 'a\nb'],
      ['^a.b$', 'a-b'],
      ['^\\d+$', '١٢'],
      ['^\\x41B$', 'AB'],
      ['^(?<letter>a)+$', 'aa'],
      ['^[^]$', '\n'],
      ['[]', 'a'],
      ['^[a\\-z]+$', 'a-z'],
      [email, 'ada@example.org'],
      [email, 'ada..lovelace@example.org'],
      [email, '.ada@example.org'],
    ];
    for (const [pattern, text] of cases) {
      const errors = await dbErrors(JSON.stringify(text), { type: 'string', pattern });
      expect(errors.length === 0, `${JSON.stringify(text)} against /${pattern}/`).toBe(new RegExp(pattern).test(text));
    }
  });

  it('refuses to judge with a keyword it does not know', async () => {
    await expect(dbErrors('3', { multipleOf: 2 })).rejects.toMatchObject({ code: '0A000' });
    await expect(dbErrors('"x"', { type: 'string', format: 'email' })).rejects.toMatchObject({ code: '0A000' });
  });
});
