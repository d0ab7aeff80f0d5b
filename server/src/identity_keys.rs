//! Where the keys that seal customer identity come from: `IDENTITY_KEYS`, or for the embedded
//! default a key generated once and kept beside its database. A server on an external
//! database without `IDENTITY_KEYS` refuses to start: a generated key there would seal rows
//! no other replica could open.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use app::incidents::sealed::{KeyError, Keyring};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("identity key file {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The key file of an embedded database folder: beside it, not inside it.
pub fn key_file_for(embedded_pg_dir: &Path) -> PathBuf {
    let mut name = embedded_pg_dir.as_os_str().to_owned();
    name.push(".identity-keys");
    PathBuf::from(name)
}

/// The keyring from `configured` (the value of `IDENTITY_KEYS`), else, on the embedded
/// database only, from `key_file`, which is created with a new key the first time.
pub fn load(
    configured: Option<&str>,
    external_database: bool,
    key_file: &Path,
) -> Result<Keyring, LoadError> {
    if let Some(text) = configured.filter(|t| !t.trim().is_empty()) {
        return Ok(Keyring::parse(text)?);
    }
    if external_database {
        return Err(KeyError::Missing.into());
    }
    let file_error = |source| LoadError::File {
        path: key_file.to_owned(),
        source,
    };
    match std::fs::read_to_string(key_file) {
        Ok(text) => Ok(Keyring::parse(&text)?),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let entry = Keyring::generate_entry("local1");
            if let Some(dir) = key_file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(file_error)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(key_file)
                .map_err(file_error)?;
            file.write_all(entry.as_bytes()).map_err(file_error)?;
            file.sync_all().map_err(file_error)?;
            Ok(Keyring::parse(&entry)?)
        }
        Err(err) => Err(file_error(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::incidents::sealed::Column;

    #[test]
    fn an_external_database_without_keys_refuses_with_a_clear_message() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("pg.identity-keys");
        let err = load(None, true, &file).err().expect("refused");
        let message = err.to_string();
        assert!(message.contains("IDENTITY_KEYS"), "{message}");
        assert!(message.contains("DATABASE_URL"), "{message}");
        assert!(!file.exists(), "a key was made for an external database");
    }

    #[test]
    fn the_embedded_default_makes_its_key_once_and_keeps_it() {
        let dir = tempfile::tempdir().expect("dir");
        let file = key_file_for(&dir.path().join("pg"));
        let first = load(None, false, &file).expect("made");
        let sealed = first
            .seal(Column::IdNumber, "11010519491231002X")
            .expect("seal");
        let again = load(None, false, &file).expect("kept");
        assert_eq!(
            again
                .open(Column::IdNumber, first.current_id(), &sealed)
                .as_deref(),
            Ok("11010519491231002X")
        );
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A configured key list wins over the file.
        let configured = Keyring::generate_entry("prod1");
        assert_eq!(
            load(Some(&configured), false, &file)
                .expect("configured")
                .current_id(),
            "prod1"
        );
    }
}
