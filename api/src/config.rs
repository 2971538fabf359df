//! Configuration: flags first, then `PUBEVAL_*` environment variables, then an optional TOML
//! file, then defaults. Secrets are never printed.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The server's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// `sqlite://path`, a bare path, or `postgres://…`.
    pub database_url: String,
    /// Where the generated JWT key is kept.
    pub data_dir: PathBuf,
    /// A file holding the JWT signing secret; generated in `data_dir` when absent.
    pub jwt_secret_file: Option<PathBuf>,
    /// Token lifetime in seconds.
    pub token_ttl_seconds: u64,
    /// JWT issuer.
    pub issuer: String,
    /// JWT audience.
    pub audience: String,
    /// Connections in the pool.
    pub pool_size: u32,
    /// Largest accepted JSON body in bytes.
    pub max_body_bytes: usize,
    /// Bearer token that may read `/metrics` without logging in.
    pub metrics_token: Option<String>,
    /// A CJK font file, or a directory of fonts, for PDFs and PNG charts; searched before the
    /// system's fonts.
    pub font_path: Option<PathBuf>,
    /// Whether to search the system's fonts too.
    pub system_fonts: bool,
    /// Whether the console's session cookie is marked `Secure` (set it when served over HTTPS).
    pub cookie_secure: bool,
    /// Threads running evaluations (at least 1); each run loads a year's data and scores it.
    pub evaluation_workers: usize,
    /// Reverse proxies (addresses or CIDR networks) whose `X-Forwarded-For` names the caller's
    /// address for the login throttle; a list in the file, comma-separated in
    /// `PUBEVAL_TRUSTED_PROXIES`. Empty: the connection's peer is the caller.
    #[serde(default)]
    pub trusted_proxies: crate::auth::proxies::TrustedProxies,
    /// Documents (PDFs, workbooks, exports, charts) one caller may ask for per minute, with a
    /// burst of half of that; beyond it 429 with `Retry-After`. 0: no limit.
    #[serde(default = "default_documents_per_minute")]
    pub documents_per_minute: u32,
}

fn default_documents_per_minute() -> u32 {
    120
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://pubeval.db".into(),
            data_dir: PathBuf::from("."),
            jwt_secret_file: None,
            token_ttl_seconds: 3600,
            issuer: "pubeval".into(),
            audience: "pubeval-api".into(),
            pool_size: 8,
            max_body_bytes: 1 << 20,
            metrics_token: None,
            font_path: None,
            system_fonts: true,
            cookie_secure: false,
            evaluation_workers: 1,
            trusted_proxies: Default::default(),
            documents_per_minute: default_documents_per_minute(),
        }
    }
}

/// Values given on the command line, which override everything else.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    /// `--bind`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// `--database-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// Loads the configuration: defaults < TOML file < `PUBEVAL_*` < flags.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment
            .merge(Env::prefixed("PUBEVAL_"))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return its own large error type
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_environment_which_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "pubeval.toml",
                "bind = \"0.0.0.0:9000\"\ndatabase_url = \"sqlite://file.db\"\ntoken_ttl_seconds = 120\n",
            )?;
            jail.set_env("PUBEVAL_DATABASE_URL", "sqlite://env.db");
            jail.set_env("PUBEVAL_EVALUATION_WORKERS", "3");
            let file = Some(Path::new("pubeval.toml"));
            let config = Config::load(file, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.bind, "0.0.0.0:9000");
            assert_eq!(config.database_url, "sqlite://env.db");
            assert_eq!(config.token_ttl_seconds, 120);
            assert_eq!(config.evaluation_workers, 3);
            let flags = Overrides {
                database_url: Some("postgres://flag/db".into()),
                ..Overrides::default()
            };
            let config = Config::load(file, &flags).map_err(|e| e.to_string())?;
            assert_eq!(config.database_url, "postgres://flag/db");
            Ok(())
        });
    }

    #[test]
    fn defaults_need_no_file() {
        // In a jail, so that no other test's environment leaks in.
        figment::Jail::expect_with(|_| {
            let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.database_url, "sqlite://pubeval.db");
            assert_eq!(config.bind, "127.0.0.1:8080");
            assert_eq!(config.evaluation_workers, 1);
            assert!(config.trusted_proxies.is_empty());
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_come_comma_separated_from_the_environment_or_as_a_list() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PUBEVAL_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1");
            let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(
                config.trusted_proxies.to_string(),
                "10.0.0.0/8,192.0.2.1/32"
            );
            jail.set_env("PUBEVAL_TRUSTED_PROXIES", "not-an-address");
            assert!(Config::load(None, &Overrides::default()).is_err());
            jail.clear_env();
            jail.create_file(
                "pubeval.toml",
                "trusted_proxies = [\"::1\", \"10.1.0.0/16\"]\n",
            )?;
            let file = Some(Path::new("pubeval.toml"));
            let config = Config::load(file, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.trusted_proxies.to_string(), "::1/128,10.1.0.0/16");
            Ok(())
        });
    }
}
