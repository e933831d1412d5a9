-- Email: verified addresses, one-time links, what people let us send them, and the mail queue.
--
-- Mail is driven by the transactional outbox (outbox_events): a change writes its event in its
-- own transaction, and the mail fan-out (src/mail/fanout.rs) turns each event into the emails
-- it calls for, in one transaction that also marks the event mailed. So an email exists if and
-- only if its change committed, and fanning an event out twice composes nothing twice.

-- An address is verified once its owner followed the link sent to it. Until then the account
-- works, but invitations it sends to outside addresses wait (vouchgraph must not mail
-- strangers in the name of an address nobody proved), and no invitation attaches to it by
-- address alone.
alter table accounts add column email_verified_at timestamptz;

-- One-time links sent by email: address verification and password reset. Only the SHA-256 of
-- the token is kept, as for sessions, so a leaked table cannot be replayed.
create table email_tokens (
    token_hash bytea primary key,
    person_id  bigint not null references accounts (person_id) on delete cascade,
    purpose    text not null,
    -- The address the link went to: following it proves this address, not a later one.
    email      text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at    timestamptz,
    constraint email_token_purpose_known check (purpose in ('verify', 'reset'))
);
-- Erasure and "a new link replaces the old ones" look tokens up by person.
create index email_tokens_person on email_tokens (person_id, purpose);

-- Who said "no more of these". Keyed by the SHA-256 of the lower-cased address, not the
-- address: an unsubscribe must outlive an erased account (or apply to someone who never had
-- one, such as an invitee), without keeping the address itself.
create table email_opt_outs (
    address_hash bytea not null,
    category     text not null,
    created_at   timestamptz not null default now(),
    primary key (address_hash, category),
    constraint email_opt_out_category_known check (category in ('referrals', 'reminders'))
);

-- One-click unsubscribe links (RFC 8058): each email that can be declined carries one.
create table unsubscribe_tokens (
    token_hash   bytea primary key,
    address_hash bytea not null,
    category     text not null,
    created_at   timestamptz not null default now(),
    constraint unsubscribe_category_known check (category in ('referrals', 'reminders'))
);

-- Which outbox events the mail fan-out has handled. A flag, as for webhooks' fanned_out_at:
-- identity values are handed out before commit, so a cursor could step over a late event.
alter table outbox_events add column mailed_at timestamptz;
create index outbox_events_unmailed on outbox_events (id) where mailed_at is null;
-- Events from before email existed are not mailed now, months late.
update outbox_events set mailed_at = now();

-- The mail queue: one row per email. The sender claims due rows `for update skip locked` and
-- leases them by pushing next_attempt_at forward, so several instances can send and a sender
-- killed mid-send retries after the lease; message_id stays the same on every attempt, so a
-- message sent again after such a crash is recognisably the same message.
create table emails (
    id              bigint generated always as identity primary key,
    -- The outbox event it was composed for.
    event_id        bigint references outbox_events (id) on delete set null,
    -- The recipient's account, when they have one.
    person_id       bigint references people (id) on delete cascade,
    -- Who sent it in effect (an invitation's referrer): it is held until their address is
    -- verified.
    sender_id       bigint references people (id) on delete cascade,
    to_address      text not null,
    kind            text not null,
    -- The preference it falls under; null for mail that always goes (verification, reset).
    category        text,
    subject         text not null,
    -- The bodies are blanked once sent: they may carry one-time links, and the recipient has
    -- their copy.
    text_body       text not null,
    html_body       text not null,
    unsubscribe_url text,
    message_id      text not null unique,
    status          text not null default 'pending',
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error      text,
    created_at      timestamptz not null default now(),
    sent_at         timestamptz,
    constraint email_status_known check (status in ('held', 'pending', 'sent', 'failed', 'capped')),
    constraint email_address_shape check (to_address like '%_@_%' and length(to_address) <= 254),
    -- One email per event, kind and address: a second fan-out of the same event adds nothing.
    constraint email_once_per_event unique (event_id, kind, to_address)
);
-- The sender's claim: due pending emails, soonest first.
create index emails_due on emails (next_attempt_at) where status = 'pending';
-- The per-recipient daily cap counts recent mail to an address.
create index emails_recent_by_address on emails (lower(to_address), created_at);
-- Releasing held invitations when their sender verifies.
create index emails_held_by_sender on emails (sender_id) where status = 'held';

-- A referral invitation can be opened by the token the referrer was handed, or by the one in
-- the email (minted by the fan-out, which never sees the first): either proves the address.
alter table referrals add column invite_email_token_hash bytea unique;
