-- An invitation's address is a non-member's personal data: it is blanked once the invitation
-- has lapsed long enough (store::retention) or when the sender deletes their account
-- (erase_person). A referral must still name its recipient while it can reach them, so the
-- rule becomes: a recipient, or an address, or no live token (nobody can claim it any more).
alter table referrals drop constraint referral_has_recipient;
alter table referrals add constraint referral_has_recipient check (
    recipient_id is not null or recipient_email is not null or invite_token_hash is null);
