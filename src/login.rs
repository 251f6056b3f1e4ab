//! The login flow: (cached token →) request → classify the answer → (store the token) → session.
//!
//! Rules (docs/architecture.md): one deadline for the whole login; a request that may have started a push is
//! never sent twice; a Duo refusal is never retried; a cached token the server rejects is evicted
//! and the login runs once more without it; secrets never reach a message or a log line.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::cache::select::{self, CacheSetup};
use crate::cache::{CacheInspection, CacheKey, CacheReport, CacheStatus, TokenCache};
use crate::cancel::{Cancels, LoginCancel};
use crate::config::{Config, Protocol};
use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind};
use crate::exchange::{Exchange, Exchanged, TokenAnswer};
use crate::factor::SecondFactor;
use crate::progress::{Progress, ProgressCallback, Reporter};
use crate::prompt_lock::{self, Outcome, Turn};
use crate::protocol::{self, SessionData};
use crate::retry::{Idempotence, Watch, post_with_retry};
use crate::secret::Secret;
use crate::server_text::Scrubber;
use crate::transport::{Endpoint, Transport};

/// Longest time `Session::close` waits for the server.
const CLOSE_BUDGET: Duration = Duration::from_secs(30);

/// Logs in to Snowflake with one configuration. Thread-safe: many threads may call
/// [`Client::login`] on one client at once, and any thread may [`Client::cancel`] them.
pub struct Client {
    config: Config,
    transport: Arc<Transport>,
    cache: CacheSetup,
    cancels: Cancels,
    progress: RwLock<Option<ProgressCallback>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.transport.base_url())
            .field("user", &self.config.user())
            .field(
                "cache",
                &match &self.cache {
                    CacheSetup::Ready(c) => c.name(),
                    CacheSetup::Off(..) => "off",
                },
            )
            .finish()
    }
}

/// What a cached token achieved.
enum TokenResult {
    /// Logged in with it.
    Session(Box<Session>),
    /// The server rejected it; it was evicted (unless the store already held a newer one).
    Rejected,
}

impl Client {
    /// Checks `config` and prepares the HTTP client (reads `ca_file`). No network traffic yet.
    pub fn new(config: Config) -> Result<Self, Error> {
        config.validate()?;
        let host = config.host();
        let transport = Arc::new(Transport::new(Endpoint {
            https: config.protocol() == Protocol::Https,
            host: &host,
            port: config.port(),
            ca_file: config.ca_file(),
            binding: config.binding(),
        })?);
        let cache = select::for_config(&config, None);
        Ok(Client {
            config,
            transport,
            cache,
            cancels: Cancels::default(),
            progress: RwLock::new(None),
        })
    }

    /// Uses `cache` for MFA tokens instead of the store `token_cache` names (still only with
    /// `authenticator=username_password_mfa` and caching on).
    pub fn with_token_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.cache = select::for_config(&self.config, Some(cache));
        self
    }

    /// Delivers the progress events of every later login to `callback`, on the thread that called
    /// [`Client::login`] (see [`Progress`]).
    pub fn with_progress(self, callback: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.set_progress(Some(Arc::new(callback)));
        self
    }

    /// Replaces (or, with `None`, removes) the progress callback. Logins already running keep the
    /// callback they started with.
    pub fn set_progress(&self, callback: Option<ProgressCallback>) {
        match self.progress.write() {
            Ok(mut slot) => *slot = callback,
            Err(e) => *e.into_inner() = callback,
        }
    }

    /// Cancels every login of this client in progress now, from any thread: each returns an error
    /// of kind [`ErrorKind::Cancelled`] promptly (its socket is closed; no token is stored), wherever
    /// it was — waiting for Duo, for another login of the same user, or between retries. Logins
    /// started afterwards are not affected. Returns how many logins were cancelled.
    pub fn cancel(&self) -> usize {
        let n = self.cancels.cancel_all();
        log::info!("cancelled {n} login(s) in progress");
        n
    }

    /// The configuration this client logs in with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The User-Agent this client sends.
    pub fn user_agent(&self) -> &str {
        self.transport.user_agent()
    }

    /// Logs in within `login_timeout`. Blocks while the server waits for Duo approval.
    ///
    /// With the MFA authenticator and caching on, a cached token replaces the Duo prompt, the token
    /// the server issues is stored, and logins of the same (host, user) that need a prompt take
    /// turns across threads and processes: one prompts, the others use its token or share its Duo
    /// refusal. With caching off, each login prompts on its own.
    pub fn login(&self) -> Result<Session, Error> {
        let cancel = self.cancels.begin();
        let callback = match self.progress.read() {
            Ok(c) => c.clone(),
            Err(e) => e.into_inner().clone(),
        };
        let reporter = Reporter::new(callback);
        // What the connection string said that sfmfa did not use (unknown keys, …), once per login
        // so the driver can show it where it shows progress.
        for warning in self.config.warnings() {
            reporter.emit(Progress::Warning {
                message: warning.to_string(),
            });
        }
        let deadline = Deadline::after(self.config.login_timeout());
        let watch = Watch {
            deadline: &deadline,
            cancel: &cancel,
            reporter: &reporter,
        };
        match &self.cache {
            CacheSetup::Ready(cache) => self.login_cached(cache.as_ref(), watch),
            CacheSetup::Off(status, why) => {
                let factor = self.config.second_factor();
                let done = self.exchange(watch).interactive(factor, false)?;
                cancel.check()?;
                reporter.emit(Progress::TokenNotCached {
                    reason: why.clone(),
                });
                let report = CacheReport {
                    status: *status,
                    backend: None,
                    evicted: false,
                    detail: why.clone(),
                };
                Ok(self.finish(done.data, done.factor, report))
            }
        }
    }

    /// The requests of one login, under its watch.
    fn exchange<'a>(&'a self, watch: Watch<'a>) -> Exchange<'a> {
        Exchange {
            transport: &self.transport,
            config: &self.config,
            watch,
        }
    }

    fn login_cached(&self, cache: &dyn TokenCache, watch: Watch<'_>) -> Result<Session, Error> {
        let key = CacheKey::for_config(&self.config);
        let mut evicted = false;
        let mut read_failure = None;
        let mut rejected: Option<Secret> = None;
        let deadline = watch.deadline;
        let steps = CacheSteps::new(deadline);
        let first = steps.note(cache.read_until(&key, steps.until()));
        within_deadline(deadline, "reading the token cache", first.as_ref().err())?;
        match first {
            Ok(Some(token)) => match self.try_token(cache, &key, &token, watch, &steps)? {
                TokenResult::Session(session) => return Ok(*session),
                TokenResult::Rejected => {
                    evicted = true;
                    rejected = Some(token);
                }
            },
            Ok(None) => {}
            Err(e) => read_failure = Some(e.message().to_owned()),
        }
        // The interactive step: one login per (host, user) at a time.
        let dir = cache.coordination_dir();
        let leader = loop {
            let turn = prompt_lock::acquire(
                &key,
                dir.as_deref(),
                watch.cancel,
                watch.deadline,
                watch.reporter,
            )?;
            let leader = match turn {
                Turn::Lead(leader) => leader,
                Turn::Shared(Outcome::Refused(e)) => {
                    log::info!("another login of this user was refused; sharing its outcome: {e}");
                    return Err(e);
                }
                // The other login succeeded: its token is in the store.
                Turn::Shared(_) => {
                    let shared = steps.note(cache.read_until(&key, steps.until()));
                    within_deadline(deadline, "reading the token cache", shared.as_ref().err())?;
                    match shared {
                        Ok(Some(token)) if Some(&token) != rejected.as_ref() => {
                            match self.try_token(cache, &key, &token, watch, &steps)? {
                                TokenResult::Session(session) => return Ok(*session),
                                TokenResult::Rejected => {
                                    evicted = true;
                                    rejected = Some(token);
                                    continue;
                                }
                            }
                        }
                        // It got no token (the server issues none, or it could not be stored):
                        // there is nothing to share, so this login prompts on its own,
                        // uncoordinated.
                        _ => break None,
                    }
                }
            };
            // Double check under the lock: a login that ended just before this one took its turn
            // (here or in another process) may have stored a token.
            let fresh = steps.note(cache.read_fresh_until(&key, steps.until()));
            // Out of time: dropping `leader` hands the turn on.
            within_deadline(deadline, "reading the token cache", fresh.as_ref().err())?;
            match fresh {
                Ok(Some(token)) if Some(&token) != rejected.as_ref() => {
                    match self.try_token(cache, &key, &token, watch, &steps) {
                        Ok(TokenResult::Session(session)) => {
                            leader.finish(Outcome::Success);
                            return Ok(*session);
                        }
                        Ok(TokenResult::Rejected) => evicted = true,
                        Err(e) => {
                            leader.finish(Outcome::of_failure(&e));
                            return Err(e);
                        }
                    }
                }
                _ => {}
            }
            break Some(leader);
        };
        let factor = self.config.second_factor();
        let Exchanged { data, factor } = match self
            .exchange(watch)
            .interactive(factor, true)
            .and_then(|done| watch.cancel.check().map(|()| done))
        {
            Ok(done) => done,
            Err(e) => {
                if let Some(leader) = leader {
                    leader.finish(Outcome::of_failure(&e));
                }
                return Err(e);
            }
        };
        let (status, detail) = match (data.mfa_token.as_ref(), read_failure) {
            (None, Some(why)) => (CacheStatus::Unavailable, format!("{} unavailable: {why}", cache.name())),
            (None, None) => (
                CacheStatus::NotIssued,
                "the server issued no MFA token (ALLOW_CLIENT_MFA_CACHING is off for the account or user)".to_owned(),
            ),
            // Bounded by the deadline like every cache step, but never a reason to fail a login that
            // has its session: past the deadline the token is simply not stored (WriteFailed).
            (Some(token), _) => match cache.write_until(&key, token, steps.until()) {
                Ok(()) => (CacheStatus::Stored, format!("MFA token stored in {}", cache.name())),
                Err(e) => (CacheStatus::WriteFailed, format!("MFA token not stored in {}: {}", cache.name(), e.message())),
            },
        };
        if let Some(leader) = leader {
            leader.finish(Outcome::Success);
        }
        watch.reporter.emit(match status {
            CacheStatus::Stored => Progress::TokenStored {
                backend: cache.name(),
            },
            _ => Progress::TokenNotCached {
                reason: detail.clone(),
            },
        });
        Ok(self.finish(
            data,
            factor,
            CacheReport {
                status,
                backend: Some(cache.name()),
                evicted,
                detail,
            },
        ))
    }

    /// Logs in with a cached token. A token the server rejects is evicted — unless the store now
    /// holds a different one (another process renewed it), which is kept.
    fn try_token(
        &self,
        cache: &dyn TokenCache,
        key: &CacheKey,
        token: &Secret,
        watch: Watch<'_>,
        steps: &CacheSteps<'_>,
    ) -> Result<TokenResult, Error> {
        watch.reporter.emit(Progress::UsingCachedToken {
            backend: cache.name(),
        });
        match self.exchange(watch).with_token(token)? {
            TokenAnswer::Accepted(data) => {
                watch.cancel.check()?;
                let until = steps.until();
                // The same token back is already stored: rewriting it would cost the store a
                // write (the file: a rename and two fsyncs; a keystore: a D-Bus call or a key
                // update) for nothing. Only a renewed token is stored.
                let detail = match data
                    .mfa_token
                    .as_ref()
                    .filter(|t| *t != token)
                    .map(|t| cache.write_until(key, t, until))
                {
                    Some(Err(e)) => format!(
                        "cached token used; the renewed token was not stored: {}",
                        e.message()
                    ),
                    _ => format!(
                        "cached token from {} used instead of a Duo prompt",
                        cache.name()
                    ),
                };
                let report = CacheReport {
                    status: CacheStatus::Hit,
                    backend: Some(cache.name()),
                    evicted: false,
                    detail,
                };
                let session = self.finish(data, SecondFactor::MfaToken, report);
                Ok(TokenResult::Session(Box::new(session)))
            }
            // The server did not accept the token (expired, password changed, caching turned
            // off, any code but a refusal of the credentials): Snowflake's Rust core evicts it and
            // logs in once without it.
            TokenAnswer::NotAccepted(e) => {
                log::info!("cached MFA token not accepted ({e}); evicting it and logging in again");
                evict(cache, key, token, steps);
                within_deadline(watch.deadline, "evicting the rejected token", None)?;
                Ok(TokenResult::Rejected)
            }
        }
    }

    /// Deletes the cached MFA token of this configuration's (host, user), if any.
    pub fn delete_cached_token(&self) -> Result<(), Error> {
        match &self.cache {
            CacheSetup::Ready(cache) => cache.delete(&CacheKey::for_config(&self.config)),
            CacheSetup::Off(..) => Ok(()),
        }
    }

    /// Whether a token is cached for this configuration's (host, user), without revealing it.
    /// `None` when this configuration does not cache.
    pub fn inspect_cache(&self) -> Result<Option<CacheInspection>, Error> {
        match &self.cache {
            CacheSetup::Ready(cache) => {
                let present = cache.read(&CacheKey::for_config(&self.config))?.is_some();
                Ok(Some(CacheInspection {
                    present,
                    backend: cache.name(),
                }))
            }
            CacheSetup::Off(..) => Ok(None),
        }
    }

    fn finish(&self, data: SessionData, factor: SecondFactor, cache: CacheReport) -> Session {
        log::info!(
            "MFA token cache: {} ({})",
            cache.status.name(),
            cache.detail
        );
        log::info!(
            "logged in to {} (session {}, second factor: {})",
            self.transport.base_url(),
            data.session_id,
            factor.name()
        );
        Session {
            transport: Arc::clone(&self.transport),
            data,
            factor,
            cache,
            closed: Mutex::new(false),
            // login_timeout=0 (no limit) does not make the logout unbounded.
            close_budget: match self.config.login_timeout() {
                t if t.is_zero() => CLOSE_BUDGET,
                t => t.min(CLOSE_BUDGET),
            },
        }
    }
}

/// Removes `rejected` from the store — only if it is still the token there: another process may
/// have stored a newer one meanwhile, which must survive.
fn evict(cache: &dyn TokenCache, key: &CacheKey, rejected: &Secret, steps: &CacheSteps<'_>) {
    let result = match steps.note(cache.read_fresh_until(key, steps.until())) {
        Ok(Some(current)) if &current != rejected => Ok(()),
        Ok(Some(_)) => steps.note(cache.delete_until(key, steps.until())),
        Ok(None) => Ok(()),
        // Unknown state: delete anyway, a stale token would be rejected again.
        Err(_) => steps.note(cache.delete_until(key, steps.until())),
    };
    if let Err(e) = result {
        log::warn!(
            "could not evict the rejected MFA token from {}: {e}",
            cache.name()
        );
    }
}

/// How long a cache step waits once an earlier step of the same login failed.
const AFTER_A_FAILED_STEP: Duration = Duration::from_millis(100);

/// The cache steps of one login. Each waits (for the file's lock, for a keystore call) until the
/// login's deadline and within the store's own limit (2 s for the file's lock, 15 s for a keystore
/// call) — except once a step has failed: the later steps of that login then wait at most
/// [`AFTER_A_FAILED_STEP`] (still trying once), so a store that did not answer costs a login one
/// wait, not one per step (read, double check, write).
struct CacheSteps<'a> {
    deadline: &'a Deadline,
    failed: std::cell::Cell<bool>,
}

impl<'a> CacheSteps<'a> {
    fn new(deadline: &'a Deadline) -> Self {
        CacheSteps {
            deadline,
            failed: std::cell::Cell::new(false),
        }
    }

    /// When the next step gives up.
    fn until(&self) -> Instant {
        let end = self.deadline.instant();
        if self.failed.get() {
            end.min(Instant::now() + AFTER_A_FAILED_STEP)
        } else {
            end
        }
    }

    /// Passes a step's result through, remembering a failure.
    fn note<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        if result.is_err() {
            self.failed.set(true);
        }
        result
    }
}

/// Ends a login whose deadline passed during a cache step before its session exists, with the
/// transport's timeout error (kind `Timeout`) and the step that ran out of time: every cache wait
/// (the file's lock, a keystore call) gives up at the deadline, so the login returns within
/// `login_timeout` plus the store's own non-blocking work (milliseconds). With time left, a cache
/// failure is not a login failure (`failure` is then only reported).
fn within_deadline(deadline: &Deadline, step: &str, failure: Option<&Error>) -> Result<(), Error> {
    if !deadline.passed() {
        return Ok(());
    }
    let timeout = crate::transport::timeout_error(deadline);
    let cause = failure.map_or_else(String::new, |e| format!(": {}", e.message()));
    Err(Error::new(
        timeout.kind(),
        format!("{} (while {step}{cause})", timeout.message()),
    )
    .with_hint(
        "Raise login_timeout, or find what holds the token cache (the message names its lock or \
         store).",
    ))
}

/// A logged-in Snowflake session. Holds the session and master tokens (secrets, wiped on drop).
/// Dropping it does not log out; call [`Session::close`].
pub struct Session {
    transport: Arc<Transport>,
    data: SessionData,
    factor: SecondFactor,
    cache: CacheReport,
    closed: Mutex<bool>,
    close_budget: Duration,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("session_id", &self.data.session_id)
            .field("second_factor", &self.factor)
            .field("token", &self.data.token)
            .finish()
    }
}

impl Session {
    /// The session token (`Authorization: Snowflake Token="…"` for later requests). A secret.
    pub fn token(&self) -> &Secret {
        &self.data.token
    }

    /// The master token, used to renew the session token. A secret.
    pub fn master_token(&self) -> &Secret {
        &self.data.master_token
    }

    /// The server's session id.
    pub fn session_id(&self) -> i64 {
        self.data.session_id
    }

    /// The second factor of this login, as far as the exchange with the server proves it: a
    /// cached token or a passcode the server accepted, a push the multi-step flow confirmed, or
    /// [`SecondFactor::PushOrNone`] when a push was asked for and one answer let the user in.
    pub fn second_factor(&self) -> SecondFactor {
        self.factor
    }

    /// What the token cache did during this login, and why.
    pub fn cache_report(&self) -> &CacheReport {
        &self.cache
    }

    /// Whether the server issued an MFA token with this login.
    pub fn mfa_token_issued(&self) -> bool {
        self.data.mfa_token.is_some()
    }

    /// Seconds the session token is valid, as the server said.
    pub fn validity_secs(&self) -> Option<u64> {
        self.data.validity_secs
    }

    /// Seconds the master token is valid, as the server said.
    pub fn master_validity_secs(&self) -> Option<u64> {
        self.data.master_validity_secs
    }

    /// The server's version string.
    pub fn server_version(&self) -> Option<&str> {
        self.data.server_version.as_deref()
    }

    /// The user's display name.
    pub fn display_user_name(&self) -> Option<&str> {
        self.data.display_user_name.as_deref()
    }

    /// The role of the session.
    pub fn role(&self) -> Option<&str> {
        self.data.role.as_deref()
    }

    /// True once [`Session::close`] succeeded.
    pub fn is_closed(&self) -> bool {
        self.closed.lock().map(|c| *c).unwrap_or(true)
    }

    /// Logs out (`POST /session?delete=true`). Closing a closed session does nothing; a session the
    /// server already forgot counts as closed.
    pub fn close(&self) -> Result<(), Error> {
        let mut closed = self
            .closed
            .lock()
            .map_err(|_| Error::new(ErrorKind::Internal, "session lock poisoned"))?;
        if *closed {
            return Ok(());
        }
        let deadline = Deadline::after(self.close_budget);
        // Sized up front: `format!` would grow the string and leave copies of the token behind.
        let token = self.data.token.expose();
        let mut auth = zeroize::Zeroizing::new(String::with_capacity(token.len() + 20));
        auth.push_str("Snowflake Token=\"");
        auth.push_str(token);
        auth.push('"');
        let query = [
            ("delete", "true".to_owned()),
            ("request_id", uuid::Uuid::new_v4().to_string()),
        ];
        let watch = Watch {
            deadline: &deadline,
            cancel: &LoginCancel::default(),
            reporter: &Reporter::default(),
        };
        let answer = post_with_retry(
            &self.transport,
            protocol::LOGOUT_PATH,
            &query,
            &[("Authorization", auth.as_str())],
            b"{}",
            Idempotence::Repeatable,
            watch,
            None,
        )?;
        if answer.status != 200 {
            return Err(Error::new(
                ErrorKind::HttpStatus,
                format!("logout answered HTTP {}", answer.status),
            )
            .with_http_status(answer.status));
        }
        let scrubber = Scrubber::of(&[
            Some(&self.data.token),
            Some(&self.data.master_token),
            self.data.mfa_token.as_ref(),
        ]);
        protocol::parse_logout_answer(&answer.body, &scrubber)?;
        *closed = true;
        log::info!("session {} closed", self.data.session_id);
        Ok(())
    }
}
