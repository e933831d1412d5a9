//! What each email says, in plain text and HTML. Pure functions of their inputs: no database,
//! no network, so every message can be read in a unit test. No tracking pixels, no remote
//! images: the HTML part is the text part with links made clickable.

/// A composed email, before it has an address.
#[derive(Clone, Debug, PartialEq)]
pub struct Letter {
    /// The kind, for the queue and the logs (`verify`, `invitation`, ...).
    pub kind: &'static str,
    /// The preference it falls under; `None` for mail that always goes.
    pub category: Option<&'static str>,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// Builds a letter from paragraphs, the last of which may be a link (label, absolute URL).
fn letter(
    kind: &'static str,
    category: Option<&'static str>,
    subject: String,
    paragraphs: &[String],
    link: Option<(&str, &str)>,
) -> Letter {
    let mut text = paragraphs.join("\n\n");
    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">",
    );
    for p in paragraphs {
        html.push_str("<p>");
        html.push_str(&escape(p));
        html.push_str("</p>");
    }
    if let Some((label, url)) = link {
        text.push_str(&format!("\n\n{label}: {url}"));
        html.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>",
            escape(url),
            escape(label)
        ));
    }
    text.push_str("\n\n-- \nvouchgraph: tradespeople your own circle vouches for\n");
    html.push_str("<p style=\"color:#555\">vouchgraph: tradespeople your own circle vouches for</p></body></html>");
    Letter {
        kind,
        category,
        subject,
        text,
        html,
    }
}

/// Escapes text for HTML (`&`, `<`, `>`, both quotes).
pub use html_escape::encode_quoted_attribute as escape;

/// Names and notes come from people: one line each, and not so long that they swamp the mail.
fn clean(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.chars().count() <= max {
        trimmed.to_string()
    } else {
        let mut cut: String = trimmed.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// "Confirm your email address", with the one-time link.
pub fn verify(name: &str, link: &str) -> Letter {
    letter(
        "verify",
        None,
        "Confirm your email address for vouchgraph".into(),
        &[
            format!("Hello {},", clean(name, 100)),
            "Please confirm that this is your address. Until you do, invitations you send \
             to people without an account wait, and nobody can invite you by this address."
                .into(),
            "The link works once, for 48 hours. If you did not sign up, ignore this email.".into(),
        ],
        Some(("Confirm your address", link)),
    )
}

/// "Reset your password", with the one-time link.
pub fn reset(name: &str, link: &str) -> Letter {
    letter(
        "reset",
        None,
        "Reset your vouchgraph password".into(),
        &[
            format!("Hello {},", clean(name, 100)),
            "Someone, hopefully you, asked to reset the password of this account. The link \
             works once, for one hour, and signs you out everywhere."
                .into(),
            "If it was not you, ignore this email: your password stays as it is.".into(),
        ],
        Some(("Choose a new password", link)),
    )
}

/// What a referral email says about it.
pub struct ReferralFacts<'a> {
    /// Who referred.
    pub referrer: &'a str,
    /// The provider.
    pub provider: &'a str,
    /// The trade, e.g. "tiler".
    pub trade: &'a str,
    /// The referrer's note.
    pub note: &'a str,
}

fn note_line(facts: &ReferralFacts<'_>) -> Option<String> {
    let note = clean(facts.note, 500);
    (!note.is_empty()).then(|| {
        format!(
            "{} wrote: \u{201c}{note}\u{201d}",
            clean(facts.referrer, 100)
        )
    })
}

/// An invitation to someone without an account (as far as the sender knows), with the link
/// that carries its token.
pub fn invitation(facts: &ReferralFacts<'_>, link: &str) -> Letter {
    let referrer = clean(facts.referrer, 100);
    let provider = clean(facts.provider, 200);
    let mut paragraphs = vec![
        "Hello,".to_string(),
        format!(
            "{referrer} referred you to {provider} ({}) on vouchgraph, where people find \
             tradespeople through the people they trust.",
            clean(facts.trade, 60)
        ),
    ];
    paragraphs.extend(note_line(facts));
    paragraphs.push(
        "Open the referral to see who vouches for them and to accept it. The link is yours: \
         it works for 30 days."
            .into(),
    );
    letter(
        "invitation",
        Some("referrals"),
        format!("{referrer} referred you to {provider}"),
        &paragraphs,
        Some(("Open the referral", link)),
    )
}

/// "Matt referred you to Rossi Tiling", to a recipient with an account.
pub fn referral_received(name: &str, facts: &ReferralFacts<'_>, link: &str) -> Letter {
    let referrer = clean(facts.referrer, 100);
    let provider = clean(facts.provider, 200);
    let mut paragraphs = vec![
        format!("Hello {},", clean(name, 100)),
        format!(
            "{referrer} referred you to {provider} ({}).",
            clean(facts.trade, 60)
        ),
    ];
    paragraphs.extend(note_line(facts));
    letter(
        "referral_received",
        Some("referrals"),
        format!("{referrer} referred you to {provider}"),
        &paragraphs,
        Some(("See your referrals", link)),
    )
}

/// "You have a new referral", to a provider's owner.
pub fn new_referral_for_provider(name: &str, facts: &ReferralFacts<'_>, link: &str) -> Letter {
    let provider = clean(facts.provider, 200);
    letter(
        "referral_for_provider",
        Some("referrals"),
        format!("New referral for {provider}"),
        &[
            format!("Hello {},", clean(name, 100)),
            format!(
                "{} referred a customer to {provider} ({}). When they accept, you will see \
                 how to reach them.",
                clean(facts.referrer, 100),
                clean(facts.trade, 60)
            ),
        ],
        Some(("See the referral", link)),
    )
}

/// A referral moved on, to the provider's owner.
pub fn status_for_provider(name: &str, provider: &str, status: &str, link: &str) -> Letter {
    let provider = clean(provider, 200);
    let what = match status {
        "accepted" => "was accepted: the customer wants to hear from you".to_string(),
        "declined" => "was declined".to_string(),
        "hired" => "became a hire".to_string(),
        "completed" => "was marked completed".to_string(),
        "expired" => "expired".to_string(),
        other => format!("is now {other}"),
    };
    letter(
        "referral_status",
        Some("referrals"),
        format!("A referral to {provider} {what}"),
        &[
            format!("Hello {},", clean(name, 100)),
            format!("A referral to {provider} {what}."),
        ],
        Some(("See the referral", link)),
    )
}

/// A customer who accepted a referral is still waiting for the owner's call.
pub fn follow_up_due(name: &str, provider: &str, customer: &str, link: &str) -> Letter {
    let provider = clean(provider, 200);
    let customer = clean(customer, 100);
    letter(
        "follow_up_due",
        Some("reminders"),
        format!("{customer} is waiting to hear from {provider}"),
        &[
            format!("Hello {},", clean(name, 100)),
            format!(
                "{customer} accepted a referral to {provider} two working days ago and has not \
                 heard from you yet. A quick call keeps the trust that brought them to you."
            ),
        ],
        Some(("See who is waiting", link)),
    )
}

/// "a tiler", "an electrician".
fn article(noun: &str) -> &'static str {
    match noun.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// "Anna invites you to her circle on vouchgraph", to any address, with the link that carries
/// the invitation's token.
pub fn circle_invitation(inviter: &str, note: &str, link: &str) -> Letter {
    let inviter = clean(inviter, 100);
    let mut paragraphs = vec![
        "Hello,".to_string(),
        format!(
            "{inviter} invites you to vouchgraph, where people find tradespeople through the \
             people they trust: not star ratings from strangers, but who in your own circle \
             vouches for whom."
        ),
    ];
    let note = clean(note, 500);
    if !note.is_empty() {
        paragraphs.push(format!("{inviter} wrote: \u{201c}{note}\u{201d}"));
    }
    paragraphs.push(format!(
        "Join with the link below and you can trust {inviter} back with one click. The link is \
         yours: it works for 30 days."
    ));
    letter(
        "circle_invitation",
        Some("invitations"),
        format!("{inviter} invites you to their circle on vouchgraph"),
        &paragraphs,
        Some(("Join", link)),
    )
}

/// A request for recommendations routed to `name`: from the asker by name when the asker
/// trusts them directly, or as "someone in Matt's circle" at two hops (`via`).
pub fn request_received(
    name: &str,
    asker: &str,
    via: Option<&str>,
    trade: &str,
    note: &str,
    link: &str,
) -> Letter {
    let trade = clean(trade, 60).to_lowercase();
    let who = match via {
        None => clean(asker, 100),
        // A plain apostrophe: the subject line stays readable in every mail program.
        Some(via) => format!("Someone in {}'s circle", clean(via, 100)),
    };
    let mut paragraphs = vec![
        format!("Hello {},", clean(name, 100)),
        format!("{who} is looking for a good {trade} and asked the people best placed to know."),
    ];
    let note = clean(note, 500);
    if !note.is_empty() {
        paragraphs.push(format!("\u{201c}{note}\u{201d}"));
    }
    paragraphs.push(
        "If you know someone good, name them in one click; you can vouch for them at the same \
         time."
            .into(),
    );
    letter(
        "request_received",
        Some("requests"),
        format!("{who} is looking for {} {trade}", article(&trade)),
        &paragraphs,
        Some(("Answer", link)),
    )
}

/// "Matt suggests Rossi Tiling", to the asker.
pub fn request_answered(
    name: &str,
    answerer: &str,
    provider: &str,
    trade: &str,
    link: &str,
) -> Letter {
    let trade = clean(trade, 60).to_lowercase();
    let answerer = clean(answerer, 100);
    let provider = clean(provider, 200);
    letter(
        "request_answered",
        Some("requests"),
        format!("{answerer} suggests {provider}"),
        &[
            format!("Hello {},", clean(name, 100)),
            format!(
                "{answerer} answered your request for {} {trade}: {provider}.",
                article(&trade)
            ),
            "See every answer ranked by the people you trust, and why.".into(),
        ],
        Some(("See the answers", link)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ReferralFacts<'static> {
        ReferralFacts {
            referrer: "Matt <script>",
            provider: "Rossi Tiling",
            trade: "tiler",
            note: "He did my bathroom.\r\nBcc: x@evil.example",
        }
    }

    #[test]
    fn an_invitation_names_the_referrer_and_provider_and_carries_its_link() {
        let l = invitation(&facts(), "http://town.example/invitation?token=abc");
        assert_eq!(l.subject, "Matt <script> referred you to Rossi Tiling");
        assert!(l
            .text
            .contains("Open the referral: http://town.example/invitation?token=abc"));
        assert!(l
            .html
            .contains("href=\"http://town.example/invitation?token=abc\""));
        assert_eq!(l.category, Some("referrals"));
    }

    #[test]
    fn what_people_typed_is_escaped_in_html_and_kept_on_one_line() {
        let l = invitation(&facts(), "http://x/");
        assert!(l.html.contains("Matt &lt;script&gt;"));
        assert!(!l.html.contains("<script>"));
        // The note's line break cannot start a new header-looking line.
        assert!(l.text.contains("He did my bathroom.  Bcc: x@evil.example"));
    }

    #[test]
    fn the_html_part_has_no_images_and_no_remote_resources() {
        for l in [
            verify("Anna", "http://x/verify?token=t"),
            reset("Anna", "http://x/reset?token=t"),
            referral_received("Anna", &facts(), "http://x/referrals"),
            new_referral_for_provider("Mario", &facts(), "http://x/referrals"),
            status_for_provider("Mario", "Rossi Tiling", "accepted", "http://x/referrals"),
        ] {
            assert!(!l.html.contains("<img"), "{}", l.kind);
            assert!(!l.html.contains("src="), "{}", l.kind);
            assert!(!l.text.is_empty() && !l.subject.is_empty());
        }
    }

    #[test]
    fn verification_and_reset_always_go_out() {
        assert_eq!(verify("A", "u").category, None);
        assert_eq!(reset("A", "u").category, None);
    }
}
