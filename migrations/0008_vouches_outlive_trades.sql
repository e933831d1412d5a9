-- Vouches belong to the people who gave them. Until now a vouch referenced its provider's
-- offer of the trade (provider_trades) with `on delete cascade`, so a provider that dropped a
-- trade, even for a minute, deleted every vouch for it: warnings included. The vouch now
-- references only the provider and the trade; dropping a trade hides its vouches (they
-- neither count nor show), and offering the trade again brings them back.
do $$
declare
    name text;
begin
    select c.conname into name
    from pg_constraint c
    where c.conrelid = 'vouches'::regclass and c.confrelid = 'provider_trades'::regclass
      and c.contype = 'f';
    if name is not null then
        execute format('alter table vouches drop constraint %I', name);
    end if;
end;
$$;

-- The vouches that count: those for a trade their provider offers now. Every read that ranks,
-- shows or counts vouches goes through this view; only writes touch the table.
create view offered_vouches as
select v.*
from vouches v
where exists (
    select 1 from provider_trades pt
    where pt.provider_id = v.provider_id and pt.trade_id = v.trade_id
);
