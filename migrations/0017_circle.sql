-- Building a circle: invitations by email that offer a trust edge back, the daily count of
-- addresses matched from address books, and erasure of what requests hold about a person.

-- An invitation into one's circle: "Anna invites you to vouchgraph". The link's token is
-- minted by the mail fan-out when the email is composed, so no secret ever sits in the outbox
-- (as with referral invitations). Once someone signs up or signs in with it, they are offered
-- to trust the inviter back (`accepted_by`), until they do so or decline (`offer_closed_at`).
create table circle_invitations (
    id              bigint generated always as identity primary key,
    inviter_id      bigint not null references people (id) on delete cascade,
    -- The address as the inviter typed it (lower-cased): the inviter sees whom they invited.
    -- Blanked when the invitation is used, and by erasure.
    email           text,
    note            text not null default '',
    token_hash      bytea unique,
    created_at      timestamptz not null default now(),
    expires_at      timestamptz not null default now() + interval '30 days',
    accepted_by     bigint references people (id) on delete cascade,
    accepted_at     timestamptz,
    offer_closed_at timestamptz,
    constraint circle_invitation_note_length check (length(note) <= 500),
    constraint circle_invitation_accepted_consistent
        check ((accepted_by is null) = (accepted_at is null))
);
-- The inviter's list, and the daily cap on invitations sent (app::circle::INVITES_PER_DAY).
create index circle_invitations_inviter on circle_invitations (inviter_id, created_at desc);
-- Offers waiting for an answer.
create index circle_invitations_offers on circle_invitations (accepted_by)
    where accepted_by is not null and offer_closed_at is null;

-- How many addresses a person matched from address books, per day: a bound on how many
-- addresses one account can test for an account (app::circle::ADDRESSES_PER_DAY). Counts
-- only, never the addresses.
create table contact_lookups (
    person_id bigint not null references people (id) on delete cascade,
    day       date not null default (now() at time zone 'utc')::date,
    addresses integer not null default 0,
    primary key (person_id, day)
);

-- Erasure keeps people rows as tombstones (0009), so cascades never fire for an erased person.
-- What they wrote in requests goes with them: their requests' notes and places, their answers'
-- notes, their inbox of requests and their mutes; their invitations, sent or used; their
-- address-book counts. Rows others depend on (an answer that helped counts in its answerer's
-- track record) stay, naming "A former member" as everything else does.
create function erase_circle_and_requests() returns trigger language plpgsql as $$
begin
    update requests set note = '', place = null, lat = null, lon = null
    where asker_id = new.person_id;
    update request_answers set note = '' where answerer_id = new.person_id;
    delete from request_recipients where person_id = new.person_id;
    delete from request_mutes where person_id = new.person_id;
    delete from circle_invitations
    where inviter_id = new.person_id or accepted_by = new.person_id;
    delete from contact_lookups where person_id = new.person_id;
    return new;
end;
$$;
create trigger erasures_take_circle_and_requests after insert on erasures
    for each row execute function erase_circle_and_requests();

-- Two more kinds of mail a person can decline: invitations into someone's circle (sent to any
-- address, so the one-click unsubscribe matters most here), and requests for recommendations
-- (a request routed to you, an answer to yours).
alter table email_opt_outs drop constraint email_opt_out_category_known,
    add constraint email_opt_out_category_known
        check (category in ('referrals', 'reminders', 'invitations', 'requests'));
alter table unsubscribe_tokens drop constraint unsubscribe_category_known,
    add constraint unsubscribe_category_known
        check (category in ('referrals', 'reminders', 'invitations', 'requests'));

-- A request asked through a partner's `ask` widget belongs to that partner's audience: its
-- webhooks hear of the request's creation, answers and closing (ids and the trade only), as
-- they hear of the referrals sent through it. A request asked on vouchgraph itself has none.
alter table requests add column partner_id bigint references partners (id) on delete set null;
-- The `ask` widget's views are counted with the others.
alter table partner_widget_views drop constraint partner_widget_known,
    add constraint partner_widget_known check (widget in ('badge', 'list', 'refer', 'ask'));
-- ...and partners may subscribe to the request events.
alter table webhook_endpoints drop constraint webhook_event_types_known;
alter table webhook_endpoints add constraint webhook_event_types_known check (
    cardinality(event_types) >= 1 and event_types <@ array[
        'referral.created', 'referral.status_changed', 'vouch.created', 'vouch.revoked',
        'person.deleted', 'request.created', 'request.answered', 'request.closed']::text[]);
