import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, asRole, rolledBack } from '../helpers/db.ts';

/**
 * The platform's SQL surface as migrations use it: pg_cron, pg_net, pgmq, Vault and the
 * database side of Realtime. On the local stack these are the devstack's stand-ins and
 * workers; against a hosted project, the real extensions. Names are unique per run, so the
 * suite can run again on the same database.
 */

const run = randomUUID().replaceAll('-', '').slice(0, 10);
const POLL = { timeout: 15_000, interval: 200 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cron, the pg_cron API', () => {
  const prefix = `platform_test_${run}`;
  const probe = `public.cron_probe_${run}`;
  const jobs: string[] = [];

  /** cron.schedule with a name unique to this run; returns the job id. */
  const schedule = async (name: string, when: string, command: string): Promise<string> => {
    const [{ id }] = await adminSql`select cron.schedule(${`${prefix}_${name}`}, ${when}, ${command})::text as id`;
    jobs.push(id);
    return id;
  };

  beforeAll(async () => {
    await adminSql.unsafe(`create table ${probe} (n serial)`);
  });

  afterAll(async () => {
    await adminSql`delete from cron.job where jobid = any(${jobs}::bigint[])`;
    await adminSql`delete from cron.job_run_details where jobid = any(${jobs}::bigint[])`;
    await adminSql.unsafe(`drop table if exists ${probe}`);
  });

  const runsOf = async (id: string, status: string) =>
    adminSql`select return_message from cron.job_run_details where jobid = ${id} and status = ${status}`;

  it('upserts a job by name and unschedules it by name', async () => {
    const first = await schedule('named', '0 3 * * *', 'select 1');
    const second = await schedule('named', '30 4 * * *', 'select 2');
    expect(second).toBe(first);

    const [job] = await adminSql`
      select schedule, command, active, username = current_user as mine, database = current_database() as here
      from cron.job where jobid = ${first}`;
    expect(job).toEqual({ schedule: '30 4 * * *', command: 'select 2', active: true, mine: true, here: true });

    const name = `${prefix}_named`;
    const [{ removed }] = await adminSql`select cron.unschedule(${name}) as removed`;
    expect(removed).toBe(true);
    await expect(adminSql`select cron.unschedule(${name})`).rejects.toThrow(
      `could not find valid entry for job '${name}'`,
    );
  });

  it('accepts the schedules pg_cron accepts and rejects the others as pg_cron does', async () => {
    const valid = ['*/5 9-17 * jan-mar mon-fri', '0 0 $ * *', '@daily', '59 seconds', '1 second', '0 12 * * 7'];
    for (const [index, when] of valid.entries()) {
      const id = await schedule(`valid_${index}`, when, 'select 1');
      await adminSql`select cron.unschedule(${id}::bigint)`;
    }
    const invalid = ['1 minute', '60 seconds', '0 seconds', '* * * *', '61 * * * *', '1/5 * * * *', '@fortnightly'];
    for (const when of invalid) {
      await expect(schedule('invalid', when, 'select 1')).rejects.toThrow(`invalid schedule: ${when}`);
    }
  });

  it('alter_job changes only the attributes it is given', async () => {
    const id = await schedule('altered', '0 3 * * *', 'select 1');

    await adminSql`select cron.alter_job(${id}, active := false)`;
    await adminSql`select cron.alter_job(${id}, command := 'select 3')`;
    const [job] = await adminSql`select schedule, command, active from cron.job where jobid = ${id}`;
    expect(job).toEqual({ schedule: '0 3 * * *', command: 'select 3', active: false });

    await expect(adminSql`select cron.alter_job(${id}, schedule := 'every day')`).rejects.toThrow(
      'invalid schedule: every day',
    );
    await expect(adminSql`select cron.alter_job(-1, active := true)`).rejects.toThrow(
      "Job -1 does not exist or you don't own it",
    );

    await adminSql`select cron.unschedule(${id}::bigint)`;
    await expect(adminSql`select cron.unschedule(${id}::bigint)`).rejects.toThrow(
      `could not find valid entry for job ${id}`,
    );
  });

  it('runs a job scheduled every second and records each run as succeeded', async () => {
    const id = await schedule('every_second', '1 seconds', `insert into ${probe} default values`);
    await expect.poll(async () => (await runsOf(id, 'succeeded')).length, POLL).toBeGreaterThanOrEqual(2);
    await adminSql`select cron.unschedule(${id}::bigint)`;

    const [{ inserted }] = await adminSql.unsafe(`select count(*)::int as inserted from ${probe}`);
    expect(inserted).toBeGreaterThanOrEqual(2);
    const runs = await adminSql`
      select distinct status, return_message, job_pid is not null as has_pid, end_time >= start_time as ordered
      from cron.job_run_details where jobid = ${id} and status <> 'running'`;
    expect(runs).toEqual([{ status: 'succeeded', return_message: 'INSERT 0 1', has_pid: true, ordered: true }]);
  });

  it("the migrations' cron-history-purge job keeps a day of successful runs and a week of failed ones", async () => {
    const [job] = await adminSql`select schedule, command from cron.job where jobname = 'cron-history-purge'`;
    expect(job.schedule).toBe('29 * * * *');
    const left = await rolledBack(async (sql) => {
      await sql`insert into cron.job_run_details (jobid, command, status, start_time, end_time)
                select -1, command, status, now() - age, now() - age
                from (values ('ok 2 days', 'succeeded', interval '2 days'), ('ok 2 hours', 'succeeded', interval '2 hours'),
                             ('failed 6 days', 'failed', interval '6 days'), ('failed 8 days', 'failed', interval '8 days'))
                     as runs (command, status, age)`;
      await sql.unsafe(job.command);
      return sql`select command from cron.job_run_details where jobid = -1 order by command`;
    });
    expect(left.map((r) => r.command)).toEqual(['failed 6 days', 'ok 2 hours']);
  });

  it('records a failing job as failed with its error', async () => {
    const id = await schedule('failing', '1 seconds', 'select 1/0');
    await expect.poll(async () => (await runsOf(id, 'failed'))[0]?.return_message, POLL).toContain('division by zero');
    await adminSql`select cron.unschedule(${id}::bigint)`;
  });
});

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('net, the pg_net API', () => {
  const received: Received[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        if (request.url?.endsWith('/slow')) {
          setTimeout(() => response.end('too late'), 3000);
          return;
        }
        response.writeHead(201, { 'Content-Type': 'application/json', 'X-Reply': 'yes' });
        response.end(JSON.stringify({ path: request.url }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${run}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const requestsTo = (path: string) => received.filter((request) => request.url.startsWith(`/${run}${path}`));
  const response = async (id: string) =>
    (
      await adminSql`
        select status_code, content_type, headers, content, timed_out, error_msg
        from net._http_response where id = ${id}`
    )[0];

  it('sends a committed http_post with its body, headers and query params and stores the response', async () => {
    const [{ id }] = await adminSql`
      select net.http_post(
        url := ${`${base}/post`},
        body := '{"hello": "world"}',
        params := '{"q": "a b&c"}',
        headers := '{"Content-Type": "application/json", "X-Test": "yes"}'
      )::text as id`;

    await expect.poll(() => response(id), POLL).toBeDefined();
    const [request] = requestsTo('/post');
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/${run}/post?q=a%20b%26c`);
    expect(request.headers['x-test']).toBe('yes');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ hello: 'world' });

    const stored = await response(id);
    expect(stored).toMatchObject({
      status_code: 201,
      content_type: 'application/json',
      timed_out: false,
      error_msg: null,
    });
    expect(stored.headers['x-reply']).toBe('yes');
    expect(JSON.parse(stored.content)).toEqual({ path: `/${run}/post?q=a%20b%26c` });
    const [{ queued }] = await adminSql`select count(*)::int as queued from net.http_request_queue where id = ${id}`;
    expect(queued).toBe(0);
  });

  it('sends http_get and http_delete with their methods', async () => {
    const [{ get }] = await adminSql`select net.http_get(${`${base}/get`}, '{"page": "2"}')::text as get`;
    const [{ del }] = await adminSql`select net.http_delete(${`${base}/delete`})::text as del`;
    await expect.poll(async () => (await response(get)) && (await response(del)), POLL).toBeDefined();
    expect(requestsTo('/get').map((request) => `${request.method} ${request.url}`)).toEqual([`GET /${run}/get?page=2`]);
    expect(requestsTo('/delete').map((request) => request.method)).toEqual(['DELETE']);
  });

  it('does not send a request before its transaction commits', async () => {
    await adminSql.begin(async (tx) => {
      await tx`select net.http_get(${`${base}/after-commit`})`;
      await sleep(1500);
      expect(requestsTo('/after-commit')).toHaveLength(0);
    });
    await expect.poll(() => requestsTo('/after-commit').length, POLL).toBe(1);
  });

  it('never sends a request whose transaction rolls back', async () => {
    await rolledBack((tx) => tx`select net.http_get(${`${base}/rolled-back`})`);
    await adminSql`select net.http_get(${`${base}/committed-later`})`;
    await expect.poll(() => requestsTo('/committed-later').length, POLL).toBe(1);
    await sleep(500);
    expect(requestsTo('/rolled-back')).toHaveLength(0);
  });

  it('records a request that outlives its timeout as timed out', async () => {
    const [{ id }] = await adminSql`select net.http_get(${`${base}/slow`}, timeout_milliseconds := 300)::text as id`;
    await expect.poll(() => response(id), POLL).toBeDefined();
    const stored = await response(id);
    expect(stored).toMatchObject({ status_code: null, timed_out: true });
    expect(stored.error_msg).toMatch(/^Timeout of 300 ms reached/);
  });

  it('records a refused connection as an error without a status code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const [{ id }] = await adminSql`select net.http_get(${`http://127.0.0.1:${port}/`})::text as id`;
    await expect.poll(() => response(id), POLL).toBeDefined();
    const stored = await response(id);
    expect(stored).toMatchObject({ status_code: null, timed_out: false });
    expect(stored.error_msg).toBeTruthy();
  });
});

describe('pgmq, the Queues API', () => {
  const queue = `platform_test_${run}`;

  beforeAll(async () => {
    await adminSql`select pgmq.create(${queue})`;
  });

  afterAll(async () => {
    await adminSql`select pgmq.drop_queue(${queue})`;
  });

  const read = async (vt: number, qty: number) =>
    adminSql`select msg_id::text as id, read_ct, message from pgmq.read(${queue}, ${vt}, ${qty})`;

  it('creates a queue with its queue and archive tables', async () => {
    const [tables] = await adminSql`
      select to_regclass(${`pgmq.q_${queue}`}) is not null as queue, to_regclass(${`pgmq.a_${queue}`}) is not null as archive`;
    expect(tables).toEqual({ queue: true, archive: true });
    const queues = await adminSql`select queue_name from pgmq.list_queues() where queue_name = ${queue}`;
    expect(queues).toHaveLength(1);
  });

  it('hides a read message for its visibility timeout and shows it again when the timeout is reset', async () => {
    const [{ id }] = await adminSql`select pgmq.send(${queue}, '{"task": "first"}')::text as id`;
    const first = await read(30, 10);
    expect(first).toEqual([{ id, read_ct: 1, message: { task: 'first' } }]);
    expect(await read(30, 10)).toHaveLength(0);

    await adminSql`select * from pgmq.set_vt(${queue}, ${id}, 0)`;
    expect(await read(30, 10)).toEqual([{ id, read_ct: 2, message: { task: 'first' } }]);
    const [{ deleted }] = await adminSql`select pgmq.delete(${queue}, ${id}::bigint) as deleted`;
    expect(deleted).toBe(true);
  });

  it('sends batches, deletes and archives messages by id and counts them in metrics', async () => {
    const sent = await adminSql`
      select id::text from pgmq.send_batch(${queue}, array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as id`;
    const [one, two, three] = sent.map((row) => row.id as string);

    const [{ deleted }] = await adminSql`select pgmq.delete(${queue}, ${one}::bigint) as deleted`;
    const [{ again }] = await adminSql`select pgmq.delete(${queue}, ${one}::bigint) as again`;
    expect([deleted, again]).toEqual([true, false]);

    const [{ archived }] = await adminSql`select pgmq.archive(${queue}, ${two}::bigint) as archived`;
    expect(archived).toBe(true);
    const archive = await adminSql.unsafe(`select msg_id::text as id, message from pgmq.a_${queue}`);
    expect(archive).toEqual([{ id: two, message: { n: 2 } }]);

    const [metrics] = await adminSql`select queue_length::int, total_messages::int from pgmq.metrics(${queue})`;
    expect(metrics.queue_length).toBe(1);
    expect(metrics.total_messages).toBe(Number(three));
    const [{ purged }] = await adminSql`select pgmq.purge_queue(${queue})::int as purged`;
    expect(purged).toBe(1);
  });

  it('keeps a message sent with a delay invisible until the delay has passed', async () => {
    await adminSql`select pgmq.send(${queue}, '{"later": true}', 1)`;
    expect(await read(30, 1)).toHaveLength(0);
    await expect.poll(async () => (await read(30, 1)).length, POLL).toBe(1);
  });

  it('rejects a queue name that would break the SQL it generates', async () => {
    await expect(adminSql`select pgmq.create(${`${queue}; drop table x`})`).rejects.toThrow(
      'queue name contains invalid characters',
    );
  });
});

describe('vault, the Vault API', () => {
  const name = `platform_test_${run}`;

  afterAll(async () => {
    await adminSql`delete from vault.secrets where name like ${`${name}%`}`;
  });

  it('stores a secret encrypted and reads it back decrypted', async () => {
    const [{ id }] = await adminSql`select vault.create_secret('s3cret-value', ${name}, 'an API key') as id`;
    const [stored] = await adminSql`select secret from vault.secrets where id = ${id}`;
    expect(stored.secret).not.toContain('s3cret-value');

    const [secret] = await adminSql`
      select name, description, decrypted_secret from vault.decrypted_secrets where id = ${id}`;
    expect(secret).toEqual({ name, description: 'an API key', decrypted_secret: 's3cret-value' });
    await expect(adminSql`select vault.create_secret('other', ${name})`).rejects.toThrow('duplicate key');
  });

  it('update_secret replaces the secret, name and description', async () => {
    const [{ id }] = await adminSql`select vault.create_secret('before', ${`${name}_old`}) as id`;
    await adminSql`select vault.update_secret(${id}, 'after', ${`${name}_new`}, 'rotated')`;
    const [secret] = await adminSql`
      select name, description, decrypted_secret, updated_at > created_at as touched
      from vault.decrypted_secrets where id = ${id}`;
    expect(secret).toEqual({ name: `${name}_new`, description: 'rotated', decrypted_secret: 'after', touched: true });
  });

  it('keeps secrets from anon and authenticated but lets service_role read them', async () => {
    await adminSql`select vault.create_secret('hidden', ${`${name}_roles`})`;
    for (const role of ['anon', 'authenticated'] as const) {
      for (const query of ['select * from vault.secrets', 'select * from vault.decrypted_secrets']) {
        await expect(asRole({ role }, (tx) => tx.unsafe(query))).rejects.toThrow('permission denied');
      }
    }
    const [secret] = await asRole(
      { role: 'service_role' },
      (tx) => tx`select decrypted_secret from vault.decrypted_secrets where name = ${`${name}_roles`}`,
    );
    expect(secret.decrypted_secret).toBe('hidden');
  });
});

describe('realtime, the database side of Realtime', () => {
  const topic = `platform_test_${run}`;
  const table = `public.realtime_probe_${run}`;

  beforeAll(async () => {
    await adminSql.unsafe(`
      create table ${table} (id int primary key, title text);
      create function ${table}_broadcast() returns trigger language plpgsql as $$
      begin
        perform realtime.broadcast_changes(
          '${topic}:rows', tg_op, tg_op, tg_table_name, tg_table_schema, new, old
        );
        return null;
      end $$;
      create trigger broadcast after insert or update or delete on ${table}
        for each row execute function ${table}_broadcast();
    `);
  });

  afterAll(async () => {
    await adminSql.unsafe(`drop table if exists ${table}; drop function if exists ${table}_broadcast()`);
    await adminSql`delete from realtime.messages where topic like ${`${topic}%`}`;
  });

  it('realtime.send stores a private broadcast message whose payload carries the message id', async () => {
    await adminSql`select realtime.send('{"text": "hi"}', 'chat', ${`${topic}:send`})`;
    const [message] = await adminSql`
      select id::text, extension, event, private, payload from realtime.messages where topic = ${`${topic}:send`}`;
    expect(message).toMatchObject({ extension: 'broadcast', event: 'chat', private: true });
    expect(message.payload).toEqual({ text: 'hi', id: message.id });
  });

  it('realtime.send warns instead of failing when row-level security refuses the message', async () => {
    await rolledBack(async (tx) => {
      await tx`set local role authenticated`;
      await tx`select realtime.send('{}', 'chat', ${`${topic}:refused`})`;
      await tx`reset role`;
      const [{ count }] =
        await tx`select count(*)::int as count from realtime.messages where topic = ${`${topic}:refused`}`;
      expect(count).toBe(0);
    });
  });

  it('broadcast_changes sends each row change with the old and new record', async () => {
    await adminSql.unsafe(`insert into ${table} values (1, 'draft')`);
    await adminSql.unsafe(`update ${table} set title = 'final'`);
    await adminSql.unsafe(`delete from ${table}`);
    const messages = await adminSql`
      select event, private, payload from realtime.messages where topic = ${`${topic}:rows`} order by inserted_at`;
    const shared = { table: `realtime_probe_${run}`, schema: 'public' };
    expect(messages.map((message) => [message.event, message.private])).toEqual([
      ['INSERT', true],
      ['UPDATE', true],
      ['DELETE', true],
    ]);
    expect(messages.map(({ payload: { id, ...rest } }) => rest)).toEqual([
      { ...shared, operation: 'INSERT', record: { id: 1, title: 'draft' }, old_record: null },
      { ...shared, operation: 'UPDATE', record: { id: 1, title: 'final' }, old_record: { id: 1, title: 'draft' } },
      { ...shared, operation: 'DELETE', record: null, old_record: { id: 1, title: 'final' } },
    ]);
  });

  it('realtime.topic() returns the topic set for the transaction, or null', async () => {
    await rolledBack(async (tx) => {
      const [before] = await tx`select realtime.topic() as topic`;
      await tx`select set_config('realtime.topic', ${`${topic}:room`}, true)`;
      const [after] = await tx`select realtime.topic() as topic`;
      expect([before.topic, after.topic]).toEqual([null, `${topic}:room`]);
    });
  });
});
