-- The problems of `instance` against a JSON Schema (draft 2020-12 subset), one message per
-- problem, `<path>: <what is wrong>`; an empty array when it is valid. Type-specific keywords
-- apply only to their type (`minimum` says nothing about a string), as JSON Schema specifies.
--
-- Supported: boolean schemas; type (one name or an array of names; integer = a number without
-- a fraction); enum, const; minimum, maximum, exclusiveMinimum, exclusiveMaximum; minLength,
-- maxLength (in characters); pattern; format "uuid"; properties, required,
-- additionalProperties (false or a schema); items (one schema), minItems, maxItems; allOf,
-- anyOf, oneOf.
-- Ignored, because they are annotations that never change a verdict: $schema, $id, $comment,
-- title, description, default, examples, deprecated, readOnly, writeOnly.
-- Any other keyword or format raises feature_not_supported instead of passing a value that the
-- schema meant to refuse: extend this function when zod starts emitting one.
--
-- SQL null in, null out (strict): a check constraint then leaves null to the column's not null.
create function private.json_schema_errors(schema jsonb, instance jsonb, path text default '$')
returns text[]
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  errors text[] := '{}';
  kind text := jsonb_typeof(instance);
  num numeric := case when jsonb_typeof(instance) = 'number' then instance::numeric end;
  str text := case when jsonb_typeof(instance) = 'string' then instance #>> '{}' end;
  keyword text;
  value jsonb;
  matches int;
  branch_errors text[];
  branch text;
  regex text;
  member text;
  member_path text;
begin
  -- `true` accepts everything, `false` nothing (`additionalProperties: false` is one).
  if jsonb_typeof(schema) = 'boolean' then
    return case when schema = 'true' then '{}' else array[path || ': is not allowed'] end;
  end if;

  for keyword, value in select * from jsonb_each(schema) loop
    case keyword
    when '$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated',
         'readOnly', 'writeOnly' then
      null;
    when 'properties', 'required', 'additionalProperties' then
      null; -- checked together below, once per key
    when 'type' then
      if not exists (
        select from jsonb_array_elements_text(case jsonb_typeof(value) when 'array' then value else jsonb_build_array(value) end) t
        where t = kind or (t = 'integer' and num = trunc(num))
      ) then
        errors := errors || format('%s: must be of type %s', path,
          (select string_agg(t, ' or ') from jsonb_array_elements_text(case jsonb_typeof(value) when 'array' then value else jsonb_build_array(value) end) t));
      end if;
    when 'enum' then
      if not exists (select from jsonb_array_elements(value) e where e = instance) then
        errors := errors || format('%s: must be one of %s', path,
          (select string_agg(case jsonb_typeof(e) when 'string' then e #>> '{}' else e::text end, ', ') from jsonb_array_elements(value) e));
      end if;
    when 'const' then
      if instance <> value then
        errors := errors || format('%s: must be %s', path, value);
      end if;
    when 'minimum' then
      if num < value::numeric then errors := errors || format('%s: must be >= %s', path, value); end if;
    when 'maximum' then
      if num > value::numeric then errors := errors || format('%s: must be <= %s', path, value); end if;
    when 'exclusiveMinimum' then
      if num <= value::numeric then errors := errors || format('%s: must be > %s', path, value); end if;
    when 'exclusiveMaximum' then
      if num >= value::numeric then errors := errors || format('%s: must be < %s', path, value); end if;
    when 'minLength' then
      if length(str) < value::int then
        errors := errors || format('%s: must be at least %s characters long', path, value);
      end if;
    when 'maxLength' then
      if length(str) > value::int then
        errors := errors || format('%s: must be at most %s characters long', path, value);
      end if;
    when 'format' then
      if value <> '"uuid"' then
        raise exception 'json_schema_errors: unsupported format %', value using errcode = 'feature_not_supported';
      end if;
      if str !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        errors := errors || format('%s: must be a uuid', path);
      end if;
    when 'pattern' then
      -- Patterns are ECMA-262 regexes; Postgres speaks ARE. The syntax zod emits is common to
      -- both, but some tokens mean something else, so they are rewritten one token at a time
      -- (bracket expressions, escapes, runs of plain characters): \b \B are ARE's \y \Y; \d \w
      -- are ASCII in ECMA; \xHH is exactly two digits; `.` stops at line ends; [] matches
      -- nothing and [^] anything; (?<name>...) is a plain group. What ARE lacks (\p{...},
      -- backreferences by name) raises an error rather than matching something else.
      if str is not null then
        select string_agg(
          case
            when t = '[]' then '(?!)'
            when t = '[^]' then '(?:.|\n)'
            when left(t, 1) = '[' then t
            when t ~ '^\\x' then '\u00' || right(t, 2)
            when left(t, 1) = '\' then
              case t when '\b' then '\y' when '\B' then '\Y' when '\d' then '[0-9]' when '\D' then '[^0-9]'
                     when '\w' then '[A-Za-z0-9_]' when '\W' then '[^A-Za-z0-9_]' else t end
            else regexp_replace(replace(t, '.', '[^\n\r\u2028\u2029]'), '\(\?<([A-Za-z_]\w*)>', '(', 'g')
          end, '' order by n)
        into regex
        from regexp_matches(value #>> '{}', '\[\^?(?:\\.|[^]\\])*\]|\\x[0-9A-Fa-f]{2}|\\.|[^[\\]+|.', 'g')
          with ordinality as m(token, n),
          lateral (select token[1]) as tokens(t);
        if str !~ regex then
          errors := errors || format('%s: must match pattern %s', path, value #>> '{}');
        end if;
      end if;
    when 'items' then
      if jsonb_typeof(value) not in ('object', 'boolean') then
        raise exception 'json_schema_errors: items must be one schema (prefixItems is not supported)'
          using errcode = 'feature_not_supported';
      end if;
      if kind = 'array' then
        for i in 0 .. jsonb_array_length(instance) - 1 loop
          errors := errors || private.json_schema_errors(value, instance -> i, format('%s[%s]', path, i));
        end loop;
      end if;
    when 'minItems' then
      if kind = 'array' and jsonb_array_length(instance) < value::int then
        errors := errors || format('%s: must have at least %s items', path, value);
      end if;
    when 'maxItems' then
      if kind = 'array' and jsonb_array_length(instance) > value::int then
        errors := errors || format('%s: must have at most %s items', path, value);
      end if;
    when 'allOf' then
      for i in 0 .. jsonb_array_length(value) - 1 loop
        errors := errors || private.json_schema_errors(value -> i, instance, path);
      end loop;
    when 'anyOf', 'oneOf' then
      matches := 0;
      branch_errors := '{}';
      for i in 0 .. jsonb_array_length(value) - 1 loop
        branch := array_to_string(private.json_schema_errors(value -> i, instance, path), '; ');
        if branch = '' then matches := matches + 1; else branch_errors := branch_errors || branch; end if;
      end loop;
      -- The branches' own messages say what each alternative wanted.
      if matches = 0 then
        errors := errors || format('%s: must match one of the schemas in %s (%s)', path, keyword,
          array_to_string(branch_errors, ' | '));
      elsif keyword = 'oneOf' and matches > 1 then
        errors := errors || format('%s: must match exactly one of the schemas in oneOf, matches %s', path, matches);
      end if;
    else
      raise exception 'json_schema_errors: unsupported keyword %', keyword using errcode = 'feature_not_supported';
    end case;
  end loop;

  -- Object members: each present key against `properties` or else `additionalProperties`, and
  -- each `required` key that is missing. A key that is not an identifier is quoted: $["a.b"].
  if kind = 'object' then
    for member, member_path in
      select k, path || case when k ~ '^[A-Za-z_][A-Za-z0-9_]*$' then '.' || k else '[' || to_jsonb(k)::text || ']' end
      from (
        select jsonb_object_keys(instance)
        union
        select jsonb_array_elements_text(coalesce(schema -> 'required', '[]'))
      ) keys(k)
      order by k
    loop
      if not instance ? member then
        errors := errors || (member_path || ': is required');
      elsif schema -> 'properties' ? member then
        errors := errors || private.json_schema_errors(schema -> 'properties' -> member, instance -> member, member_path);
      elsif schema ? 'additionalProperties' then
        errors := errors || private.json_schema_errors(schema -> 'additionalProperties', instance -> member, member_path);
      end if;
    end loop;
  end if;

  return errors;
end
$$;

comment on function private.json_schema_errors(jsonb, jsonb, text) is
  'Problems of a JSON value against a JSON Schema (the draft 2020-12 subset zod emits), one "path: message" each; empty when valid.';

grant execute on function private.json_schema_errors(jsonb, jsonb, text) to authenticated, service_role;
