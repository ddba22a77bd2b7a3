-- The preview runs in steps (issue 27): its batch is `previewing` until the last step has
-- matched and counted it. A preview never committed is `expired` by the nightly purge.
-- Touches: type public.import_batch_status (two values added at its end).

alter type public.import_batch_status add value 'previewing';

alter type public.import_batch_status add value 'expired';
