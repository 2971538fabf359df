//! The fonts behind the PDF and PNG routes, found once and kept for the process, and the gate
//! every document goes through ([`gate::DocumentGate`]).
//!
//! `pubeval serve` looks for them at start-up on a background thread; an app that never asks
//! (a test through `build_app`) never scans the system's fonts. A failure is retried at most
//! once a minute, so installing a font fixes a running server without a scan per request.

pub mod gate;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use pubeval_reports::{FontError, FontSet, FontSource, Typesetter};

use crate::config::Config;
use crate::domain::{Error, ErrorCode};

/// How long a failed discovery stands before the next request tries again.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// Loaded font sets by where they came from: one per process however many apps share it.
static LOADED: LazyLock<Mutex<HashMap<FontSource, Arc<FontSet>>>> = LazyLock::new(Mutex::default);

/// The typesetter of one application, and the bounds on its document work.
#[derive(Debug)]
pub struct Documents {
    source: FontSource,
    failure: Mutex<Option<(FontError, Instant)>>,
    /// The rate per caller, the bound on renders at once and the cache of final documents.
    pub gate: gate::DocumentGate,
}

impl Documents {
    /// Documents set with the fonts the configuration names, then the system's.
    pub fn from_config(config: &Config) -> Documents {
        Documents {
            source: FontSource {
                path: config.font_path.clone(),
                system: config.system_fonts,
            },
            failure: Mutex::new(None),
            // Rendering is CPU work: more at once than cores only queues it in threads.
            gate: gate::DocumentGate::new(
                config.documents_per_minute,
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
        }
    }

    /// The typesetter, or the font error.
    pub fn typesetter(&self) -> Result<Typesetter, FontError> {
        let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((error, at)) = failure.as_ref()
            && at.elapsed() < RETRY_AFTER
        {
            return Err(error.clone());
        }
        match load(&self.source) {
            Ok(fonts) => {
                *failure = None;
                Ok(Typesetter::new(fonts))
            }
            Err(e) => {
                tracing::warn!(error = %e, "中文字体不可用 / no CJK font");
                *failure = Some((e.clone(), Instant::now()));
                Err(e)
            }
        }
    }

    /// The typesetter, or 503 `font_unavailable` saying how to install a font (the paths
    /// searched are logged by [`Documents::typesetter`], never sent).
    pub fn typesetter_or_503(&self) -> Result<Typesetter, Error> {
        self.typesetter()
            .map_err(|e| Error::with_message(ErrorCode::FontUnavailable, e.public_message()))
    }
}

fn load(source: &FontSource) -> Result<Arc<FontSet>, FontError> {
    let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(fonts) = loaded.get(source) {
        return Ok(fonts.clone());
    }
    let fonts = Arc::new(FontSet::discover(source)?);
    tracing::info!(serif = %fonts.serif, sans = %fonts.sans, files = ?fonts.files, "中文字体 / CJK fonts loaded");
    loaded.insert(source.clone(), fonts.clone());
    Ok(fonts)
}
