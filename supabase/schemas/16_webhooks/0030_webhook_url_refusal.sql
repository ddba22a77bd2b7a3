-- Why a receiver URL is refused at registration, or null when it is acceptable. The database
-- cannot resolve names, so this refuses what the URL itself says: a bad form, an address literal
-- in a private, loopback, link-local, shared or metadata range, and names that always mean this
-- machine or a cloud's metadata service. webhooks-send resolves the name before every attempt
-- and refuses the same ranges again (_shared/outbound/ssrf.ts), so a name that resolves (or
-- later rebinds) to such an address is never called.
create function private.webhook_url_refusal(url text, allow_loopback boolean)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  parts text[] := regexp_match(url, '^(https?)://([^/?#@\s]+)([/?#][^\s]*)?$', 'i');
  authority text;
  host text;
  address inet;
begin
  if url is null or length(url) > 2000 or parts is null then
    return 'WEBHOOK_URL_INVALID';
  end if;
  authority := lower(parts[2]);
  -- [v6]:port, or name:port
  host := coalesce((regexp_match(authority, '^\[([0-9a-f:.]+)\](:\d{1,5})?$'))[1],
                   (regexp_match(authority, '^([a-z0-9.-]+)(:\d{1,5})?$'))[1]);
  if host is null or host = '' or host ~ '^\.|\.\.|\.$' then
    return 'WEBHOOK_URL_INVALID';
  end if;
  if host = 'localhost' or host ~ '\.localhost$' then
    return case when allow_loopback then null else 'WEBHOOK_URL_FORBIDDEN' end;
  end if;
  if host in ('metadata.google.internal', 'metadata', 'instance-data') or host ~ '\.(internal|local)$' then
    return 'WEBHOOK_URL_FORBIDDEN';
  end if;
  if host ~ '^[0-9.]+$' or host ~ ':' then
    begin
      address := host::inet;
    exception when others then
      return 'WEBHOOK_URL_INVALID';
    end;
    -- An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 one.
    if family(address) = 6 and address << '::ffff:0:0/96'::inet then
      address := (regexp_replace(host(address), '^::ffff:', ''))::inet;
    end if;
    if address << '127.0.0.0/8'::inet or address = '::1'::inet then
      return case when allow_loopback then null else 'WEBHOOK_URL_FORBIDDEN' end;
    end if;
    if address << any (array[
      '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
      '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3', '::/128', 'fc00::/7', 'fe80::/10', 'ff00::/8',
      '64:ff9b::/96', '2001:db8::/32'
    ]::inet[]) or address in ('0.0.0.0'::inet, '::'::inet) then
      return 'WEBHOOK_URL_FORBIDDEN';
    end if;
  elsif host !~ '\.' then
    -- A bare name resolves by the search domains of whatever machine sends: never public.
    return 'WEBHOOK_URL_FORBIDDEN';
  end if;
  return null;
end;
$$;

comment on function private.webhook_url_refusal(text, boolean) is
  'WEBHOOK_URL_INVALID or WEBHOOK_URL_FORBIDDEN for a receiver URL the database can already judge, else null.';
