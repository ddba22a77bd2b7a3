import { AppError } from '@westwallet/shared';
import { hasSecretKey } from '../_shared/auth.ts';
import { db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';
import { deliverDueMail } from '../_shared/mail/outbox.ts';
import { transportFromEnv } from '../_shared/mail/transport.ts';
import { Outbound } from '../_shared/outbound/policy.ts';

/**
 * Sends the outbox's due mail (private.mail_outbox through pgmq's `mail` queue). Called with the
 * secret key by the database after a commit that wrote a mail, and by the mail-dispatch cron job
 * when a retry falls due; the call carries nothing: the queue says what to send.
 */
export const handler = endpoint(['POST'], async (request) => {
  if (!(await hasSecretKey(request))) throw new AppError('UNAUTHORIZED', 'mail-send takes the secret key.');
  await request.body?.cancel();
  const transport = transportFromEnv();
  if (!transport) {
    throw new AppError(
      'MAIL_NOT_CONFIGURED',
      'Set RESEND_API_KEY (or MAIL_SMTP_HOST and MAIL_SMTP_PORT) for mail-send.',
    );
  }
  const report = await deliverDueMail({
    sql: db(),
    transport,
    outbound: new Outbound(db()),
    from: Deno.env.get('MAIL_FROM') ?? 'WestWallet <no-reply@westwallet.app>',
    appUrl: Deno.env.get('APP_URL') ?? 'http://127.0.0.1:3000',
    unsubscribeUrl: `${
      Deno.env.get('SUPABASE_URL') ?? 'http://127.0.0.1:54321'
    }/functions/v1/notifications-unsubscribe`,
  });
  return json({ transport: transport.name, ...report });
});
