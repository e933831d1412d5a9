-- People are the nodes of the trust graph. Every account is a person, but not every person has
-- an account: trust networks imported from elsewhere bring people who never signed up here.
create table people (
    id           bigint generated always as identity primary key,
    display_name text not null,
    -- An optional home location, used as the default "near" point for searches.
    lat          double precision,
    lon          double precision,
    -- Pre-trusted people seed the global prior (EigenTrust-style), which ranks providers for
    -- seekers whose own network is thin. Sybils cannot make themselves seeds.
    pre_trusted  boolean not null default false,
    -- Importers key people by their id in the source network ("advogato:42"), so that running
    -- an import twice finds the same rows instead of duplicating them.
    external_ref text unique,
    created_at   timestamptz not null default now(),
    constraint person_name_not_blank check (length(btrim(display_name)) between 1 and 100),
    constraint person_lat_in_range check (lat between -90 and 90),
    constraint person_lon_in_range check (lon between -180 and 180),
    constraint person_location_complete check ((lat is null) = (lon is null))
);

-- Credentials for people who signed up. The password is only ever stored as an argon2id PHC
-- string; the email is unique regardless of case, because people type it both ways.
create table accounts (
    person_id     bigint primary key references people (id) on delete cascade,
    email         text not null,
    password_hash text not null,
    created_at    timestamptz not null default now(),
    constraint account_email_shape check (email like '%_@_%' and length(email) <= 254)
);
create unique index accounts_email_unique on accounts (lower(email));

-- Sessions are opaque random tokens. Only their SHA-256 is stored, so a leaked table cannot be
-- replayed. The CSRF token guards writes authenticated by cookie (a bearer token cannot be
-- sent by a foreign page, a cookie can).
create table sessions (
    token_hash bytea primary key,
    person_id  bigint not null references accounts (person_id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
);
-- Logout-everywhere and expiry sweeps look sessions up by person.
create index sessions_person on sessions (person_id);
