-- Blanks and characters that show nothing: Unicode spaces, controls, zero-width and joiners,
-- direction marks, the soft hyphen, variation selectors, Hangul fillers, the byte order mark.
create function private.visible_text(text text)
returns text
language sql
immutable
set search_path = ''
as $$
  select btrim(text) where text ~ '[^[:space:][:cntrl:]\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0]';
$$;

comment on function private.visible_text(text) is
  'The text without surrounding spaces if it shows at least one character; null if it is only blanks or invisible characters.';

grant execute on function private.visible_text(text) to authenticated, service_role;
