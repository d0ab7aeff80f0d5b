//! Customer identity at rest: ID numbers, fund accounts and mobiles are stored sealed with
//! AES-256-GCM, each row naming the key that sealed it, beside an HMAC-SHA256 blind index for
//! exact-match lookups (a handler pasting an ID number still finds the customer's incidents).
//!
//! Keys come from `IDENTITY_KEYS` (`id:base64,id:base64`, the first one current). Each master
//! key yields two keys by HMAC derivation, one to seal and one to index, so rotating the master
//! key rotates both: start with the new key first and the old one after it, and the server
//! re-seals and re-indexes every row under the new key at start-up; the old key may go once
//! no row names it.

use std::collections::HashMap;
use std::sync::OnceLock;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;

use crate::error::AppError;

const NONCE_BYTES: usize = 12;
const KEY_BYTES: usize = 32;

/// A sealed column, named in the associated data so a value cannot be moved to another column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    IdNumber,
    FundAccount,
    CustomerMobile,
    /// A reporter's phone storage key (`users.phone_key_sealed`).
    PhoneKey,
    /// A WeCom group robot's webhook key.
    RobotKey,
    /// The WeCom application's secret and its current access token.
    AppSecret,
    AccessToken,
    /// A test environment's credentials (one JSON object).
    TargetSecrets,
    /// A test-data job's parameters, which may name a customer.
    JobParams,
    /// What a test-data job's steps extracted: tokens, the new account's numbers.
    JobVars,
}

impl Column {
    fn as_str(self) -> &'static str {
        match self {
            Self::IdNumber => "id_number",
            Self::FundAccount => "fund_account",
            Self::CustomerMobile => "customer_mobile",
            Self::PhoneKey => "phone_key",
            Self::RobotKey => "wecom_robot_key",
            Self::AppSecret => "wecom_app_secret",
            Self::AccessToken => "wecom_access_token",
            Self::TargetSecrets => "datagen_target_secrets",
            Self::JobParams => "datagen_job_params",
            Self::JobVars => "datagen_job_vars",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "IDENTITY_KEYS is not set. With DATABASE_URL set the server needs the key that seals \
         customer identity: IDENTITY_KEYS=<id>:<32 bytes in base64>, e.g. \
         IDENTITY_KEYS=k1:$(openssl rand -base64 32)"
    )]
    Missing,
    #[error("IDENTITY_KEYS: {0:?} is not <id>:<32 bytes in base64>")]
    Malformed(String),
    #[error("IDENTITY_KEYS names key {0:?} twice")]
    Duplicate(String),
}

/// One master key, split into its sealing and indexing keys.
struct Key {
    seal: Aes256Gcm,
    index: Hmac<Sha256>,
}

impl Key {
    fn new(master: &[u8; KEY_BYTES]) -> Self {
        let derive = |purpose: &[u8]| {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master)
                .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
            mac.update(purpose);
            mac.finalize().into_bytes()
        };
        let seal_key = derive(b"incident-desk identity sealing v1");
        let index_key = derive(b"incident-desk identity blind index v1");
        Self {
            seal: Aes256Gcm::new(&seal_key),
            index: <Hmac<Sha256> as Mac>::new_from_slice(&index_key)
                .unwrap_or_else(|_| unreachable!("HMAC takes any key length")),
        }
    }

    fn blind_index(&self, value: &str) -> Vec<u8> {
        let mut mac = self.index.clone();
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// The keys the server knows: the current one seals, all of them open.
pub struct Keyring {
    current: String,
    keys: HashMap<String, Key>,
}

impl Keyring {
    /// Parses `id:base64[,id:base64...]`, the first key current.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut current = None;
        let mut keys = HashMap::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let malformed = || KeyError::Malformed(entry.split(':').next().unwrap_or("").into());
            let (id, encoded) = entry.split_once(':').ok_or_else(malformed)?;
            let id = id.trim();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|_| malformed())?;
            let master: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| malformed())?;
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(malformed());
            }
            if keys.insert(id.to_owned(), Key::new(&master)).is_some() {
                return Err(KeyError::Duplicate(id.to_owned()));
            }
            current.get_or_insert_with(|| id.to_owned());
        }
        let current = current.ok_or(KeyError::Missing)?;
        Ok(Self { current, keys })
    }

    /// A new random key in the `IDENTITY_KEYS` form, for the embedded default to keep.
    pub fn generate_entry(id: &str) -> String {
        format!("{id}:{}", random_key())
    }

    pub fn current_id(&self) -> &str {
        &self.current
    }

    fn current(&self) -> &Key {
        // `parse` only makes keyrings whose current key is in `keys`.
        &self.keys[&self.current]
    }

    /// `value` sealed under the current key: nonce then ciphertext with its tag.
    pub fn seal(&self, column: Column, value: &str) -> Result<Vec<u8>, AppError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: value.as_bytes(),
            aad: column.as_str().as_bytes(),
        };
        let sealed = self.current().seal.encrypt(&nonce, payload).map_err(|_| {
            tracing::error!("identity could not be sealed");
            AppError::Internal
        })?;
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The value `sealed` holds, checked against its column and the key `key_id` names.
    pub fn open(&self, column: Column, key_id: &str, sealed: &[u8]) -> Result<String, AppError> {
        let broken = |why: &str| {
            // The value itself never reaches the log.
            tracing::error!(
                key_id,
                column = column.as_str(),
                "sealed identity unreadable: {why}"
            );
            AppError::Internal
        };
        let key = self.keys.get(key_id).ok_or_else(|| broken("unknown key"))?;
        if sealed.len() < NONCE_BYTES {
            return Err(broken("too short"));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        let payload = Payload {
            msg: ciphertext,
            aad: column.as_str().as_bytes(),
        };
        let plain = key
            .seal
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| broken("authentication failed"))?;
        String::from_utf8(plain).map_err(|_| broken("not text"))
    }

    /// As [`Self::open`], for a column that may be empty.
    pub fn open_optional(
        &self,
        column: Column,
        key_id: &str,
        sealed: Option<&[u8]>,
    ) -> Result<Option<String>, AppError> {
        sealed
            .map(|bytes| self.open(column, key_id, bytes))
            .transpose()
    }

    /// The blind index of `value` under the current key, stored beside the sealed value.
    pub fn index(&self, value: &str) -> Vec<u8> {
        self.current().blind_index(value)
    }

    /// The blind index of `value` under every key, so rows not yet re-indexed are found too.
    pub fn lookups(&self, value: &str) -> Vec<Vec<u8>> {
        self.keys
            .values()
            .map(|key| key.blind_index(value))
            .collect()
    }
}

/// 32 random bytes in base64: an AES-256 key.
pub fn random_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(Aes256Gcm::generate_key(OsRng))
}

static KEYRING: OnceLock<Keyring> = OnceLock::new();

/// Makes `keyring` the process's; the server does this once at start-up. A second call keeps
/// the first keyring (tests start many servers in one process).
pub fn install(keyring: Keyring) {
    let _ = KEYRING.set(keyring);
}

pub fn keyring() -> Result<&'static Keyring, AppError> {
    KEYRING.get().ok_or_else(|| {
        tracing::error!("no identity keyring installed");
        AppError::Internal
    })
}

/// A customer's sealed identity, ready to store.
pub struct SealedIdentity {
    pub key_id: String,
    pub id_number: Vec<u8>,
    pub id_number_index: Vec<u8>,
    pub fund_account: Option<Vec<u8>>,
    pub fund_account_index: Option<Vec<u8>>,
    pub customer_mobile: Option<Vec<u8>>,
    pub customer_mobile_index: Option<Vec<u8>>,
}

impl SealedIdentity {
    pub fn new(
        keyring: &Keyring,
        id_number: &str,
        fund_account: Option<&str>,
        customer_mobile: Option<&str>,
    ) -> Result<Self, AppError> {
        let seal = |column, value: Option<&str>| value.map(|v| keyring.seal(column, v)).transpose();
        Ok(Self {
            key_id: keyring.current_id().to_owned(),
            id_number: keyring.seal(Column::IdNumber, id_number)?,
            id_number_index: keyring.index(id_number),
            fund_account: seal(Column::FundAccount, fund_account)?,
            fund_account_index: fund_account.map(|v| keyring.index(v)),
            customer_mobile: seal(Column::CustomerMobile, customer_mobile)?,
            customer_mobile_index: customer_mobile.map(|v| keyring.index(v)),
        })
    }
}

/// Rows handled per transaction by [`reseal_all`].
const RESEAL_BATCH: i64 = 500;

/// Seals what an older version stored in clear (the `legacy_` columns, emptied here) and
/// re-seals rows sealed under a key that is no longer current. Runs at start-up before the
/// server answers; replicas starting together share the work (`SKIP LOCKED`). Answers how
/// many rows were sealed.
pub async fn reseal_all(pool: &PgPool, keyring: &Keyring) -> Result<u64, AppError> {
    reseal_phone_keys(pool, keyring).await?;
    let mut done = 0;
    loop {
        let mut tx = pool.begin().await?;
        let rows = sqlx::query!(
            "SELECT id, identity_key_id, id_number_sealed, fund_account_sealed,
                    customer_mobile_sealed, legacy_id_number, legacy_fund_account,
                    legacy_customer_mobile
             FROM incidents
             -- An incident monitoring raised names no customer: nothing to seal.
             WHERE customer_name IS NOT NULL
               AND (legacy_id_number IS NOT NULL OR legacy_fund_account IS NOT NULL
                    OR legacy_customer_mobile IS NOT NULL
                    -- Not `<>`: each arm can use incidents_identity_key_idx.
                    OR identity_key_id < $1 OR identity_key_id > $1 OR identity_key_id IS NULL)
             LIMIT $2
             FOR UPDATE SKIP LOCKED",
            keyring.current_id(),
            RESEAL_BATCH
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        for row in rows {
            let key_id = row.identity_key_id.as_deref().unwrap_or_default();
            let open = |column, sealed: &Option<Vec<u8>>| {
                keyring.open_optional(column, key_id, sealed.as_deref())
            };
            let id_number = match row.legacy_id_number {
                Some(clear) => clear,
                None => open(Column::IdNumber, &row.id_number_sealed)?.unwrap_or_default(),
            };
            let fund_account = match row.legacy_fund_account {
                Some(clear) => Some(clear),
                None => open(Column::FundAccount, &row.fund_account_sealed)?,
            };
            let customer_mobile = match row.legacy_customer_mobile {
                Some(clear) => Some(clear),
                None => open(Column::CustomerMobile, &row.customer_mobile_sealed)?,
            };
            let sealed = SealedIdentity::new(
                keyring,
                &id_number,
                fund_account.as_deref(),
                customer_mobile.as_deref(),
            )?;
            store_sealed(&mut tx, row.id, &sealed).await?;
            done += 1;
        }
        tx.commit().await?;
    }
}

/// Re-seals reporters' phone keys sealed under a key that is no longer current.
async fn reseal_phone_keys(pool: &PgPool, keyring: &Keyring) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query!(
        r#"SELECT id, phone_key_id AS "key_id!", phone_key_sealed AS "sealed!" FROM users
           WHERE phone_key_id IS NOT NULL AND phone_key_id <> $1
           FOR UPDATE SKIP LOCKED"#,
        keyring.current_id()
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in rows {
        let key = keyring.open(Column::PhoneKey, &row.key_id, &row.sealed)?;
        sqlx::query!(
            "UPDATE users SET phone_key_id = $2, phone_key_sealed = $3 WHERE id = $1",
            row.id,
            keyring.current_id(),
            keyring.seal(Column::PhoneKey, &key)?
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn store_sealed(
    tx: &mut sqlx::PgConnection,
    id: i64,
    sealed: &SealedIdentity,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE incidents SET identity_key_id = $2,
                id_number_sealed = $3, id_number_index = $4,
                fund_account_sealed = $5, fund_account_index = $6,
                customer_mobile_sealed = $7, customer_mobile_index = $8,
                legacy_id_number = NULL, legacy_fund_account = NULL,
                legacy_customer_mobile = NULL
         WHERE id = $1",
        id,
        sealed.key_id,
        sealed.id_number,
        sealed.id_number_index,
        sealed.fund_account,
        sealed.fund_account_index,
        sealed.customer_mobile,
        sealed.customer_mobile_index,
    )
    .execute(tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(text: &str) -> Keyring {
        Keyring::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    const K1: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "k2:HxwdGhsYGRYXFBUSExAREA4PDA0KCwgJBgcEBQIDAAE=";

    #[test]
    fn a_sealed_value_opens_only_under_its_key_and_column() {
        let keys = ring(K1);
        let sealed = keys
            .seal(Column::IdNumber, "11010519491231002X")
            .expect("seal");
        assert!(!sealed.windows(4).any(|w| w == b"1101" || w == b"002X"));
        assert_eq!(
            keys.open(Column::IdNumber, "k1", &sealed).as_deref(),
            Ok("11010519491231002X")
        );
        assert!(keys.open(Column::FundAccount, "k1", &sealed).is_err());
        assert!(keys.open(Column::IdNumber, "k9", &sealed).is_err());
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(keys.open(Column::IdNumber, "k1", &tampered).is_err());
        // Two seals of one value differ (a fresh nonce each), so equal values do not show.
        assert_ne!(
            sealed,
            keys.seal(Column::IdNumber, "11010519491231002X")
                .expect("seal")
        );
    }

    #[test]
    fn the_blind_index_is_stable_per_key_and_lookups_cover_every_key() {
        let old = ring(K1);
        let rotated = ring(&format!("{K2},{K1}"));
        assert_eq!(old.index("310000123456"), old.index("310000123456"));
        assert_ne!(old.index("310000123456"), old.index("310000123457"));
        assert_ne!(rotated.index("310000123456"), old.index("310000123456"));
        assert!(rotated
            .lookups("310000123456")
            .contains(&old.index("310000123456")));
        let sealed = old
            .seal(Column::CustomerMobile, "13800138000")
            .expect("seal");
        assert_eq!(
            rotated
                .open(Column::CustomerMobile, "k1", &sealed)
                .as_deref(),
            Ok("13800138000")
        );
        assert_eq!(rotated.current_id(), "k2");
    }

    #[test]
    fn key_lists_are_checked() {
        assert_eq!(Keyring::parse("").err(), Some(KeyError::Missing));
        assert!(matches!(
            Keyring::parse("k1:c2hvcnQ="),
            Err(KeyError::Malformed(id)) if id == "k1"
        ));
        assert!(matches!(
            Keyring::parse(&format!("{K1},{K1}")),
            Err(KeyError::Duplicate(id)) if id == "k1"
        ));
        let generated = Keyring::generate_entry("local");
        assert_eq!(ring(&generated).current_id(), "local");
    }
}
