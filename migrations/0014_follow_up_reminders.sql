-- When the provider's owner was reminded in their inbox that a customer who accepted this
-- referral is still waiting for their call (`jobs::remind_follow_ups`). Set once, so a
-- reminder is sent once per referral however often the job runs or how many instances run it.
alter table referrals add column follow_up_reminded_at timestamptz;

-- A reminder names the waiting customer (`customer_name`, with `customer_id`) in the owner's
-- inbox. When that customer is erased, their name leaves those reminders too, as it leaves
-- everything else (erase_person names them "A former member"); a trigger on `erasures`, like
-- the one that takes customer notes.
create function erase_customer_from_reminders() returns trigger language plpgsql as $$
begin
    update notifications
    set payload = jsonb_set(payload, '{customer_name}', '"A former member"')
    where kind = 'referral.follow_up_due' and payload->>'customer_id' = new.person_id::text;
    return new;
end;
$$;
create trigger erasures_take_reminder_names after insert on erasures
    for each row execute function erase_customer_from_reminders();
