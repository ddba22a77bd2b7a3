-- Realtime checks this policy with realtime.topic() set to the channel a client joins.
create policy "members receive their organization's broadcasts" on realtime.messages
  for select to authenticated using (
    extension = 'broadcast'
    and topic = (select realtime.topic())
    and (select private.can_receive_topic((select realtime.topic())))
  );
