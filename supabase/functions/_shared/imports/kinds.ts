import { defineKind, type RegisteredKind } from '../jobs/kind.ts';
import { importCommit } from './commit.ts';
import { importPreview } from './preview.ts';
import { purgeImports } from './purge.ts';
import { importUndo } from './undo.ts';

/** The import kinds, for the runner's list (_shared/jobs/kinds.ts) and private.job_kinds. */
export const importKinds: RegisteredKind[] = [
  defineKind(importPreview),
  defineKind(importCommit),
  defineKind(importUndo),
  defineKind(purgeImports),
];
