-- Erasure (UK GDPR Art. 17): a person who deletes their account leaves no email, name, note or
-- location anywhere, the append-only history included, while the history keeps its shape.
--
-- Design: tombstones through one audited path. `erase_person` is the only code that edits
-- history: it sets a transaction-local flag that the append-only triggers accept, replaces
-- personal fields (names, notes, reasons) in place with a placeholder or nothing, and records
-- the erasure in `erasures`, itself append-only. Every other update or delete of history is
-- still refused. Ids, kinds, times and the order of events stay, so the history still says
-- "someone trusted someone at level 3 on that day", just no longer who they were by name.
-- The caller (app::account_deletion) first records the graph changes that take the person
-- out of every live graph (revokes of each edge and vouch, the person renamed), in the same
-- transaction.

create table erasures (
    id           bigint generated always as identity primary key,
    person_id    bigint not null,
    -- How many history rows had a personal field replaced.
    history_rows integer not null,
    erased_at    timestamptz not null default now()
);

-- History may be rewritten by erase_person only, and only in its personal fields: the row's
-- identity, kind, actor and time never change.
create or replace function graph_changes_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' and coalesce(current_setting('vouchgraph.erasing', true), '') <> ''
       and new.seq = old.seq and new.kind = old.kind
       and new.actor_id is not distinct from old.actor_id and new.created_at = old.created_at then
        return new;
    end if;
    raise exception 'graph_changes is append-only';
end;
$$;

create or replace function seed_changes_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' and coalesce(current_setting('vouchgraph.erasing', true), '') <> ''
       and new.id = old.id and new.person_id = old.person_id and new.action = old.action
       and new.change_seq = old.change_seq and new.created_at = old.created_at then
        return new;
    end if;
    raise exception 'seed_changes is append-only';
end;
$$;

create function erasures_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'erasures is append-only';
end;
$$;
create trigger erasures_no_update before update or delete on erasures
    for each row execute function erasures_append_only();

-- Removes every personal field of `person` from every table, keeping the rows that others
-- depend on (their referrals, the history) as tombstones. Runs inside the caller's
-- transaction: all of it commits, or none.
create function erase_person(person bigint, placeholder text) returns integer
language plpgsql as $$
declare
    address text;
    rewritten integer := 0;
    n integer;
begin
    select email into address from accounts where person_id = person;
    perform set_config('vouchgraph.erasing', person::text, true);

    -- The history: their name in person.upsert, their notes in vouch.set.
    update graph_changes set payload = jsonb_set(payload, '{name}', to_jsonb(placeholder))
    where kind = 'person.upsert' and payload->>'id' = person::text;
    get diagnostics n = row_count;
    rewritten := rewritten + n;
    update graph_changes set payload = jsonb_set(payload, '{note}', '""')
    where kind = 'vouch.set' and payload->>'person' = person::text and payload ? 'note';
    get diagnostics n = row_count;
    rewritten := rewritten + n;
    update seed_changes set reason = placeholder where person_id = person;
    perform set_config('vouchgraph.erasing', '', true);

    -- Their edges and vouches: theirs, gone (the caller recorded their revocation).
    delete from trust_edges where truster_id = person or trustee_id = person;
    delete from distrust_edges where truster_id = person or trustee_id = person;
    delete from vouches where person_id = person;

    -- What others were told about them.
    update notifications set payload = jsonb_set(payload, '{referrer_name}', to_jsonb(placeholder))
    where payload->>'referrer_id' = person::text;
    update outbox_events set payload = jsonb_set(payload, '{referrer_name}', to_jsonb(placeholder))
    where payload->>'referrer_id' = person::text;
    update outbox_events set payload = jsonb_set(payload, '{note}', '""')
    where payload->>'person_id' = person::text and payload ? 'note';

    -- Referrals stay for the other parties ("a former member"), without the person's words
    -- or address.
    update referrals set note = '' where referrer_id = person;
    update referrals set recipient_email = null, invite_token_hash = null
    where referrer_id = person or recipient_id = person
       or (address is not null and lower(recipient_email) = lower(address));
    update referral_transitions set note = '' where actor_id = person;

    -- Their own things.
    delete from notifications where person_id = person;
    delete from idempotency_keys where person_id = person;
    delete from sessions where person_id = person;
    delete from partner_links where person_id = person;
    delete from partners where owner_id = person;
    -- A business they owned leaves search (no trades offered); its vouches are their
    -- authors' and stay, hidden, in case it is claimed again. Its contact details go.
    delete from provider_trades where provider_id in (select id from providers where owner_id = person);
    update providers set phone = null, email = null, website = null where owner_id = person;

    update people set display_name = placeholder, lat = null, lon = null, external_ref = null,
        pre_trusted = false
    where id = person;
    -- The account stays as a tombstone (providers and referrals reference it), and can never
    -- be logged into again: no address, no password.
    update accounts set email = 'erased-' || person || '@erased.invalid', password_hash = '!'
    where person_id = person;

    insert into erasures (person_id, history_rows) values (person, rewritten);
    return rewritten;
end;
$$;
