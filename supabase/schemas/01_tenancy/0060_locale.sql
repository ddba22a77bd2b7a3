create type public.locale as enum ('sv', 'nb', 'da', 'fi', 'de', 'en');
