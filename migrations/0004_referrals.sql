-- A referral is the act behind a vouch: "Anna, call Mario for your bathroom". It moves through
-- sent -> accepted -> contacted -> hired -> completed, or ends declined / expired.
create table referrals (
    id                  bigint generated always as identity primary key,
    referrer_id         bigint not null references accounts (person_id) on delete cascade,
    provider_id         bigint not null references providers (id) on delete cascade,
    trade_id            integer not null references trades (id),
    -- Either a person, or an email invitation that attaches to the account signed up with it.
    recipient_id        bigint references accounts (person_id) on delete cascade,
    recipient_email     text,
    -- The invitation token is shown once to the referrer; only its SHA-256 is kept.
    invite_token_hash   bytea unique,
    invite_expires_at   timestamptz,
    invite_used_at      timestamptz,
    note                text not null default '',
    status              text not null default 'sent',
    outcome             text,
    rating              smallint,
    -- Set on the one referral credited with a hire (first accepted within 90 days).
    credited            boolean not null default false,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    accepted_at         timestamptz,
    constraint referral_has_recipient check (recipient_id is not null or recipient_email is not null),
    constraint referral_not_to_self check (recipient_id is null or recipient_id <> referrer_id),
    constraint referral_status_known check (status in
        ('sent', 'accepted', 'contacted', 'hired', 'completed', 'declined', 'expired')),
    constraint referral_outcome_known check (outcome is null or outcome in ('good', 'bad')),
    constraint referral_outcome_only_when_completed check ((outcome is null) = (status <> 'completed')),
    constraint referral_rating_range check (rating is null or rating between 1 and 5),
    constraint referral_note_length check (length(note) <= 1000)
);
-- The lists: sent by me, received by me, for my provider; and attribution's lookup.
create index referrals_referrer on referrals (referrer_id, id desc);
create index referrals_recipient on referrals (recipient_id, id desc);
create index referrals_provider on referrals (provider_id, id desc);
create index referrals_pending_email on referrals (lower(recipient_email)) where recipient_id is null;
-- The expiry job scans referrals still waiting for acceptance.
create index referrals_sent_created on referrals (created_at) where status = 'sent';

-- Every move, with its time and actor (null for the expiry job).
create table referral_transitions (
    id          bigint generated always as identity primary key,
    referral_id bigint not null references referrals (id) on delete cascade,
    from_status text,
    to_status   text not null,
    actor_id    bigint references people (id) on delete set null,
    note        text not null default '',
    created_at  timestamptz not null default now()
);
create index referral_transitions_referral on referral_transitions (referral_id, id);

-- Idempotency-Key replays: the same key and body return the stored response; the same key with
-- another body is refused. Keys are scoped to the caller.
create table idempotency_keys (
    person_id       bigint not null references people (id) on delete cascade,
    key             text not null,
    request_hash    bytea not null,
    response_status smallint not null,
    response_body   jsonb not null,
    created_at      timestamptz not null default now(),
    primary key (person_id, key),
    constraint idempotency_key_length check (length(key) between 1 and 200)
);

-- The in-app inbox.
create table notifications (
    id         bigint generated always as identity primary key,
    person_id  bigint not null references people (id) on delete cascade,
    kind       text not null,
    payload    jsonb not null,
    created_at timestamptz not null default now(),
    read_at    timestamptz
);
create index notifications_person on notifications (person_id, id desc);

-- The transactional outbox: events written in the same transaction as the change they
-- describe, so a webhook is never sent for a change that rolled back, nor lost for one that
-- committed. The delivery worker reads from here.
create table outbox_events (
    id         bigint generated always as identity primary key,
    -- A stable id receivers use to deduplicate at-least-once deliveries.
    event_id   uuid not null unique default gen_random_uuid(),
    event_type text not null,
    payload    jsonb not null,
    created_at timestamptz not null default now()
);
