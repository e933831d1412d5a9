//! How a person is named on the command line (`vouchgraph seeds add 42`, `... anna@example.com`).

/// How a person is named on the command line: by id, or by the email of their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonRef {
    /// By id.
    Id(crate::domain::PersonId),
    /// By the email of their account (compared regardless of case, as at sign-up).
    Email(String),
}

impl std::str::FromStr for PersonRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.contains('@') {
            Ok(PersonRef::Email(s.to_string()))
        } else {
            s.parse()
                .map(PersonRef::Id)
                .map_err(|_| format!("{s:?} is neither a person id nor an email"))
        }
    }
}

impl std::fmt::Display for PersonRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PersonRef::Id(id) => write!(f, "id {id}"),
            PersonRef::Email(email) => write!(f, "email {email}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonId;

    #[test]
    fn a_person_is_named_by_id_or_by_email() {
        assert_eq!("42".parse(), Ok(PersonRef::Id(PersonId(42))));
        assert_eq!(
            " anna@demo.vouchgraph.test ".parse(),
            Ok(PersonRef::Email("anna@demo.vouchgraph.test".into()))
        );
        assert!("Anna Berg".parse::<PersonRef>().is_err());
    }
}
