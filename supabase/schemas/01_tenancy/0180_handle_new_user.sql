-- Sign-up metadata that shows nothing falls back to the defaults, as anything unusable does.
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}');
  user_locale public.locale := 'en';
  name text := private.visible_text(left(meta ->> 'display_name', 100));
begin
  if meta ->> 'locale' in ('sv', 'nb', 'da', 'fi', 'de', 'en') then
    user_locale := (meta ->> 'locale')::public.locale;
  end if;
  insert into public.profiles (user_id, display_name, locale)
  values (new.id, coalesce(name, private.visible_text(left(split_part(new.email, '@', 1), 100)), 'User'), user_locale);
  perform private.new_organization(
    new.id, private.visible_text(left(meta ->> 'household_name', 200)), 'household', null, user_locale, null, null
  );
  return new;
end;
$$;
