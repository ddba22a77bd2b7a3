-- Defaults a new organization takes from its locale.
create function private.locale_defaults(locale public.locale)
returns table (currency text, time_zone text, household_name text)
language sql
immutable
set search_path = ''
as $$
  select d.currency, d.time_zone, d.household_name
  from (values
    ('sv'::public.locale, 'SEK', 'Europe/Stockholm', 'Mitt hushåll'),
    ('nb', 'NOK', 'Europe/Oslo', 'Min husholdning'),
    ('da', 'DKK', 'Europe/Copenhagen', 'Min husstand'),
    ('fi', 'EUR', 'Europe/Helsinki', 'Kotitalous'),
    ('de', 'EUR', 'Europe/Berlin', 'Mein Haushalt'),
    ('en', 'EUR', 'Europe/London', 'My household')
  ) as d (locale, currency, time_zone, household_name)
  where d.locale = locale_defaults.locale;
$$;
