/**
 * The bounds of one import, shared by the bucket (supabase/schemas/13_imports), the jobs and
 * clients: a statement file of at most 20 MiB (about 200,000 CSV lines), problems listed up to
 * a thousand (the count is kept beyond).
 */
export const importMaxBytes = 20 * 1024 * 1024;
export const importMaxProblems = 1000;
/** How many days apart a bank's booking and a typed transaction may be and still be the same one. */
export const duplicateWindowDays = 3;
