//! The kinds of partner API key, as stored and as shown. Making and checking keys is
//! `auth::keys`; the kind lives here, below the store that decodes it.

/// The two kinds of key.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// `pk_live_`: read-only widget calls, from the partner's allowed origins only.
    Publishable,
    /// `sk_live_`: server calls, such as minting embed tokens. Never put it in a page.
    Secret,
}

/// A kind as the database stores it; the store decodes it once, so a reader never guesses.
impl TryFrom<String> for KeyKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        KeyKind::parse(&name).ok_or_else(|| format!("unknown key kind {name:?}"))
    }
}

impl KeyKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Publishable => "publishable",
            KeyKind::Secret => "secret",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<KeyKind> {
        match s {
            "publishable" => Some(KeyKind::Publishable),
            "secret" => Some(KeyKind::Secret),
            _ => None,
        }
    }

    /// The start of every key of this kind.
    pub fn tag(self) -> &'static str {
        match self {
            KeyKind::Publishable => "pk_live_",
            KeyKind::Secret => "sk_live_",
        }
    }
}
