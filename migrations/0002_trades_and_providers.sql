-- The trades a provider can offer. A table rather than an enum so that new trades are data,
-- not a migration; the slug is what the API and URLs use.
create table trades (
    id   integer generated always as identity primary key,
    slug text not null unique,
    name text not null,
    constraint trade_slug_shape check (slug ~ '^[a-z][a-z0-9-]{1,39}$')
);

insert into trades (slug, name) values
    ('plumber', 'Plumber'),
    ('electrician', 'Electrician'),
    ('tiler', 'Tiler'),
    ('carpenter', 'Carpenter'),
    ('painter', 'Painter & decorator'),
    ('roofer', 'Roofer'),
    ('plasterer', 'Plasterer'),
    ('gardener', 'Gardener'),
    ('locksmith', 'Locksmith'),
    ('heating-engineer', 'Heating engineer'),
    ('bricklayer', 'Bricklayer'),
    ('cleaner', 'Cleaner');

-- A provider is a business owned by an account. Its service area is a circle: the search
-- returns it for points within radius_km of its centre.
create table providers (
    id          bigint generated always as identity primary key,
    owner_id    bigint not null references accounts (person_id) on delete cascade,
    name        text not null,
    description text not null default '',
    lat         double precision not null,
    lon         double precision not null,
    radius_km   double precision not null,
    phone       text,
    email       text,
    website     text,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint provider_name_not_blank check (length(btrim(name)) between 1 and 120),
    constraint provider_description_length check (length(description) <= 2000),
    constraint provider_lat_in_range check (lat between -90 and 90),
    constraint provider_lon_in_range check (lon between -180 and 180),
    -- 500 km covers any single-country service; larger is almost certainly a typo.
    constraint provider_radius_in_range check (radius_km > 0 and radius_km <= 500)
);
-- "Which providers does this account own?" is asked on every vouch (owners may not vouch for
-- themselves) and by the dashboard.
create index providers_owner on providers (owner_id);

-- A provider offers one or more trades.
create table provider_trades (
    provider_id bigint not null references providers (id) on delete cascade,
    trade_id    integer not null references trades (id),
    primary key (provider_id, trade_id)
);
