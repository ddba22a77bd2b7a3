import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the project's files are, resolved from this file so any working directory works. */
const devstackDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const paths = {
  repo: path.resolve(devstackDir, '../..'),
  platformSql: path.join(devstackDir, 'sql/platform'),
  functionsServer: path.join(devstackDir, 'deno/functions-server.ts'),
  migrations: path.resolve(devstackDir, '../../supabase/migrations'),
  seed: path.resolve(devstackDir, '../../supabase/seed.sql'),
  functions: path.resolve(devstackDir, '../../supabase/functions'),
  configToml: path.resolve(devstackDir, '../../supabase/config.toml'),
  functionsEnv: path.resolve(devstackDir, '../../supabase/functions/.env'),
  /** The persistent local stack's state: Postgres cluster, storage files, keys (gitignored). */
  state: path.resolve(devstackDir, '../../.devstack'),
  generatedTypes: path.resolve(devstackDir, '../shared/src/database.types.ts'),
};
