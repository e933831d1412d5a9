-- Asking one's circle: "does anyone know a good tiler?" A request goes to the people best
-- placed to answer (routed on the trust graph, src/graph/routing.rs); each answer names a
-- provider and may become a vouch; the asker closes it, saying who helped.

create table requests (
    id          bigint generated always as identity primary key,
    asker_id    bigint not null references people (id) on delete cascade,
    trade_id    integer not null references trades (id),
    -- Where the work is, when given (a place typed is stored as its point and its label).
    lat         double precision,
    lon         double precision,
    place       text,
    note        text not null default '',
    deadline    date,
    -- `circle`: only the people it was routed to see it. `public`: also everyone whose home
    -- is within the neighbourhood radius (app::requests::NEIGHBOURHOOD_KM).
    visibility  text not null,
    status      text not null default 'open',
    solved      boolean,
    created_at  timestamptz not null default now(),
    closed_at   timestamptz,
    constraint request_visibility_known check (visibility in ('circle', 'public')),
    constraint request_status_known check (status in ('open', 'closed')),
    constraint request_note_length check (length(note) <= 1000),
    constraint request_place_length check (length(place) <= 200),
    constraint request_point_complete check ((lat is null) = (lon is null)),
    constraint request_closed_consistent check ((status = 'closed') = (closed_at is not null))
);
-- "My requests", newest first.
create index requests_asker on requests (asker_id, id desc);
-- Public requests near a place, open ones only.
create index requests_open_public on requests (trade_id) where status = 'open' and visibility = 'public';

-- Who a request was routed to, and through whom (the asker's trustee) for two-hop people: all
-- a two-hop recipient learns of the asker is "someone in Matt's circle".
create table request_recipients (
    request_id bigint not null references requests (id) on delete cascade,
    person_id  bigint not null references people (id) on delete cascade,
    via_id     bigint references people (id) on delete set null,
    rank       integer not null,
    primary key (request_id, person_id)
);
-- A person's inbox of requests to answer, and the daily cap on requests received.
create index request_recipients_person on request_recipients (person_id, request_id desc);

-- Answers: a provider suggested, with a note. With one tick the answer also set a vouch (the
-- vouches table holds it; `vouched` records that it did).
create table request_answers (
    id          bigint generated always as identity primary key,
    request_id  bigint not null references requests (id) on delete cascade,
    answerer_id bigint not null references people (id) on delete cascade,
    provider_id bigint not null references providers (id) on delete cascade,
    note        text not null default '',
    vouched     boolean not null default false,
    -- The asker said this answer helped, when closing the request.
    helped      boolean not null default false,
    created_at  timestamptz not null default now(),
    constraint answer_note_length check (length(note) <= 1000),
    -- One suggestion of a provider per person per request.
    constraint answer_once unique (request_id, answerer_id, provider_id)
);
create index request_answers_request on request_answers (request_id, id);
-- Track records count the answers that helped, per answerer.
create index request_answers_helped on request_answers (answerer_id) where helped;

-- Trades a person does not want to be asked about.
create table request_mutes (
    person_id  bigint not null references people (id) on delete cascade,
    trade_id   integer not null references trades (id),
    created_at timestamptz not null default now(),
    primary key (person_id, trade_id)
);
