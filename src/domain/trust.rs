//! The validated vocabulary of trust: levels, vouch stances and visibility.

use serde::{Deserialize, Serialize};

/// How much a person trusts another: 1 = know them, 2 = trust their judgement, 3 = trust completely.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[schema(value_type = u8, example = 3)]
#[serde(try_from = "u8", into = "u8")]
pub struct TrustLevel(u8);

impl TrustLevel {
    /// The lowest level: "I know them".
    pub const KNOW: TrustLevel = TrustLevel(1);
    /// The middle level: "I trust their judgement".
    pub const JUDGEMENT: TrustLevel = TrustLevel(2);
    /// The highest level: "I trust them completely".
    pub const COMPLETE: TrustLevel = TrustLevel(3);
    /// Every level, lowest first.
    pub const ALL: [TrustLevel; 3] = [
        TrustLevel::KNOW,
        TrustLevel::JUDGEMENT,
        TrustLevel::COMPLETE,
    ];

    /// Parses a level, accepting only 1, 2 or 3.
    pub fn new(level: u8) -> Option<TrustLevel> {
        (1..=3).contains(&level).then_some(TrustLevel(level))
    }

    /// The level as a number from 1 to 3.
    pub fn get(self) -> u8 {
        self.0
    }

    /// A human label for explanations.
    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "knows",
            2 => "trusts their judgement",
            _ => "trusts completely",
        }
    }
}

impl TryFrom<u8> for TrustLevel {
    type Error = String;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        TrustLevel::new(value).ok_or_else(|| format!("level must be 1, 2 or 3, not {value}"))
    }
}

impl From<TrustLevel> for u8 {
    fn from(level: TrustLevel) -> u8 {
        level.0
    }
}

/// Who may see (and so be influenced by) a trust edge or a vouch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone.
    Public,
    /// Only the people the owner trusts directly.
    Network,
    /// Only the owner.
    Private,
}

impl Visibility {
    /// The name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Network => "network",
            Visibility::Private => "private",
        }
    }

    /// Parses the database/JSON name.
    pub fn parse(s: &str) -> Option<Visibility> {
        match s {
            "public" => Some(Visibility::Public),
            "network" => Some(Visibility::Network),
            "private" => Some(Visibility::Private),
            _ => None,
        }
    }
}

impl TryFrom<String> for Visibility {
    type Error = String;

    /// Decodes a stored name, so that rows carry a `Visibility` and no reader guesses.
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Visibility::parse(&name).ok_or_else(|| format!("unknown visibility {name:?}"))
    }
}

impl TryFrom<String> for Stance {
    type Error = String;

    /// Decodes a stored name, so that rows carry a `Stance` and no reader guesses.
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Stance::parse(&name).ok_or_else(|| format!("unknown stance {name:?}"))
    }
}

/// Whether a vouch recommends a provider or warns against them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    /// "I recommend them": carries trust to the provider.
    Recommend,
    /// "I warn against them": negative evidence, never trust.
    Warn,
}

impl Stance {
    /// The name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Recommend => "recommend",
            Stance::Warn => "warn",
        }
    }

    /// Parses the database/JSON name.
    pub fn parse(s: &str) -> Option<Stance> {
        match s {
            "recommend" => Some(Stance::Recommend),
            "warn" => Some(Stance::Warn),
            _ => None,
        }
    }
}
