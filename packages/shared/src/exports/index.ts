/**
 * Exports: pure producers of CSV, Excel, PDF and ZIP bytes from rows the database readers
 * (supabase/schemas/12_exports) return. The job kinds in supabase/functions/_shared/exports
 * read, call these and write Storage; nothing here does I/O.
 */
export * from './backup.ts';
export * from './csv.ts';
export * from './locale.ts';
export * from './money.ts';
export * from './params.ts';
export * from './pdf-report.ts';
export * from './report-data.ts';
export * from './report-labels.ts';
export * from './transaction-row.ts';
export * from './xlsx.ts';
export * from './zip.ts';
