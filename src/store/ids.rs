//! Teaches sqlx to read and write the domain's id newtypes as their inner integers, so that
//! `domain` stays free of database imports.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

use crate::domain::{
    DeliveryId, KeyId, PartnerId, PersonId, ProviderId, ReferralId, TradeId, WebhookEndpointId,
};

macro_rules! transparent_pg {
    ($id:ty, $inner:ty) => {
        impl Type<Postgres> for $id {
            fn type_info() -> PgTypeInfo {
                <$inner as Type<Postgres>>::type_info()
            }
        }
        impl PgHasArrayType for $id {
            fn array_type_info() -> PgTypeInfo {
                <$inner as PgHasArrayType>::array_type_info()
            }
        }
        impl<'r> Decode<'r, Postgres> for $id {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(Self(<$inner as Decode<'r, Postgres>>::decode(value)?))
            }
        }
        impl Encode<'_, Postgres> for $id {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <$inner as Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
            }
        }
    };
}

transparent_pg!(PersonId, i64);
transparent_pg!(ProviderId, i64);
transparent_pg!(TradeId, i32);
transparent_pg!(PartnerId, i64);
transparent_pg!(ReferralId, i64);
transparent_pg!(KeyId, i64);
transparent_pg!(WebhookEndpointId, i64);
transparent_pg!(DeliveryId, i64);
