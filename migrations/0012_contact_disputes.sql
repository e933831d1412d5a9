-- A customer may say that the provider never got in touch, although the provider marked the
-- referral "contacted". Responsiveness (how quickly a provider gets in touch, shown to
-- seekers) counts a disputed mark as no contact at all, so a provider cannot look quick by
-- marking customers contacted without calling them. The mark itself stays in the history.
alter table referrals add column contact_disputed_at timestamptz;
