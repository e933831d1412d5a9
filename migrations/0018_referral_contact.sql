-- How the customer may be reached, chosen when they accept a referral: until now the provider
-- learnt that a referral was accepted but not how to get in touch. Seen by the provider's owner
-- and the customer only, never by the referrer, in no event, webhook or notification.
--
-- The address is not copied: `share_email` lets the provider see the customer's account
-- address as it is now, so a changed address never goes stale and an erased one is never
-- shown. The phone number is the customer's own words ("07700 900123, evenings").
alter table referrals
    add column share_email boolean not null default false,
    add column contact_phone text,
    add constraint referral_contact_phone_length
        check (contact_phone is null or char_length(contact_phone) between 5 and 60);

-- Erasure (erase_person) keeps referrals for the other parties: what the erased person shared
-- as a customer goes with them. A trigger on `erasures`, as for customer notes, so that
-- erase_person itself stays as it is.
create function erase_shared_contact() returns trigger language plpgsql as $$
begin
    update referrals set share_email = false, contact_phone = null
    where recipient_id = new.person_id;
    return new;
end;
$$;
create trigger erasures_take_shared_contact after insert on erasures
    for each row execute function erase_shared_contact();
